import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A real cluster's tests run apart: `npm run test:cluster`.
    exclude: [...configDefaults.exclude, "test/cluster/**"],
    // Tests start real processes, git repositories and servers: give a loaded 2-core machine room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The store checks that every run it skips as unchanged (same shape) has the JSON on disk.
    env: { UPDRAFT_VERIFY_RUN_SHAPES: "1" },
  },
});
