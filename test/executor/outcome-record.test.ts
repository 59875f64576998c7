// Issue 11 point 8: outcome records are written atomically (0600), and a failure to write one is
// logged, not swallowed. Point 11: a record is replayed only for the try that wrote it (run 2 once
// replayed run 1's outcome from a shared log folder instead of running).
import { mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExecutorEvent, TaskLaunch } from "../../src/executor/executor.ts";
import { recordedOutcome, recordOutcome } from "../../src/executor/outcome-record.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const key = { dagId: "d", runId: "r", taskId: "t", try: 1 };
const launchIn = (dir: string) => ({ ...key, logFile: path.join(dir, "try-1.log") }) as TaskLaunch;
const event: ExecutorEvent = { type: "failed", key, exitCode: 3, reason: "exit code 3" };

describe("recordOutcome", () => {
  const cleanup = useCleanup();

  it("writes the record whole, owner-only, with no temp file left", async () => {
    const dir = await cleanup.tempDir("outcome");
    await recordOutcome(launchIn(dir), event);
    expect(await recordedOutcome(launchIn(dir))).toMatchObject({ type: "failed", exitCode: 3 });
    expect((await stat(path.join(dir, "try-1.log.outcome.json"))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["try-1.log.outcome.json"]);
  });

  it("logs a record it could not write, naming the try and the file", async () => {
    const dir = await cleanup.tempDir("outcome-fail");
    // A folder where the record goes: every write fails, even for root.
    await mkdir(path.join(dir, "try-1.log.outcome.json"));
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = {
      warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }),
    };
    await recordOutcome(launchIn(dir), event, log as never);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain("could not record the outcome of the try");
    expect(warnings[0]?.fields).toMatchObject({ dag: "d", run: "r", task: "t", try: 1 });
    expect(String(warnings[0]?.fields.file)).toContain("try-1.log.outcome.json");
  });

  it("is not replayed for another try that names the same file", async () => {
    const logFile = path.join(await cleanup.tempDir("outcome"), "try-1.log");
    const launch = (runId: string, tryNumber = 1) =>
      ({ dagId: "d", runId, taskId: "t", try: tryNumber, logFile }) as TaskLaunch;
    const first = launch("run1");
    await recordOutcome(first, { type: "finished", key: first, exitCode: 0, result: { present: false } });
    expect(await recordedOutcome(first)).toMatchObject({ type: "finished", key: { runId: "run1" } });
    expect(await recordedOutcome(launch("run2"))).toBeUndefined();
    expect(await recordedOutcome(launch("run1", 2))).toBeUndefined();
  });
});
