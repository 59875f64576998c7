import { afterEach, beforeEach, vi } from "vitest";
import { Cleanup } from "../support/cleanup.ts";
import type { Harness } from "./harness.ts";

export interface SchedulerLoopFixture {
  readonly cleanup: Cleanup;
  /** Harnesses a test started: each is stopped after the test, before the cleanup runs. */
  readonly harnesses: Harness[];
  /** The test's own state dir (only with the `stateDir` option). */
  readonly stateDir: string;
}

/**
 * Per test: fake timers and Date from `now`; after it, every harness in `harnesses` stopped, real
 * timers back, then `cleanup` run. `stateDir`: a prefix for a fresh state dir per test; `cleanup`:
 * one the file already has (default: a new one).
 */
export function useSchedulerLoop(
  now: string,
  options: { stateDir?: string; cleanup?: Cleanup } = {},
): SchedulerLoopFixture {
  const cleanup = options.cleanup ?? new Cleanup();
  const harnesses: Harness[] = [];
  let stateDir: string | undefined;
  beforeEach(async () => {
    if (options.stateDir) stateDir = await cleanup.tempDir(options.stateDir);
    vi.useFakeTimers({
      now: new Date(now),
      toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
    });
  });
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.scheduler.stop();
    vi.useRealTimers();
    await cleanup.run();
  });
  return {
    cleanup,
    harnesses,
    get stateDir(): string {
      if (stateDir === undefined) throw new Error("useSchedulerLoop: pass the stateDir option to get one");
      return stateDir;
    },
  };
}
