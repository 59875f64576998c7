import { afterAll, afterEach } from "vitest";
import { Cleanup } from "./cleanup.ts";

/**
 * A Cleanup undone after each test (`"test"`) or once after the file's tests (`"file"`). Register it
 * before the fixtures that defer into it: after-hooks run in reverse order, so it runs after theirs.
 */
export function useCleanup(scope: "test" | "file" = "test"): Cleanup {
  const cleanup = new Cleanup();
  if (scope === "test") afterEach(() => cleanup.run());
  else afterAll(() => cleanup.run());
  return cleanup;
}
