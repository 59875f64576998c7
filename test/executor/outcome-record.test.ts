// An outcome record is replayed only for the try that wrote it (issue #11, point 11: run 2 once
// replayed run 1's outcome from a shared log folder instead of running).
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import type { TaskLaunch } from "../../src/executor/executor.ts";
import { recordedOutcome, recordOutcome } from "../../src/executor/outcome-record.ts";
import { Cleanup } from "../support/cleanup.ts";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

it("is not replayed for another try that names the same file", async () => {
  const logFile = path.join(await cleanup.tempDir("outcome"), "try-1.log");
  const launch = (runId: string, tryNumber = 1) =>
    ({ dagId: "d", runId, taskId: "t", try: tryNumber, logFile }) as TaskLaunch;
  const first = launch("run1");
  await recordOutcome(first, {
    type: "finished",
    key: first,
    exitCode: 0,
    result: { present: false },
  });
  expect(await recordedOutcome(first)).toMatchObject({ type: "finished", key: { runId: "run1" } });
  expect(await recordedOutcome(launch("run2"))).toBeUndefined();
  expect(await recordedOutcome(launch("run1", 2))).toBeUndefined();
});
