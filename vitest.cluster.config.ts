import { defineConfig } from "vitest/config";

/** `npm run test:cluster`: the tests that need a real Kubernetes cluster (skipped without one). */
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
