// Issue 12 point 3: "is this try still active" (the Kubernetes executor asks before it acts on a
// Pod) is a question about runs, answered from the state file's runs.
import { describe, expect, it } from "vitest";
import { isActiveTry } from "../../src/runs/active-try.ts";
import type { Run, TaskInstance, TaskState } from "../../src/runs/run-model.ts";
import { idRecord } from "../../src/store/id-record.ts";

function runWith(state: TaskState, tryNumber: number): Record<string, Run> {
  const task = { id: "work", state, try: tryNumber } as TaskInstance;
  const run = { id: "r1", dagId: "d", tasks: [task] } as unknown as Run;
  return idRecord({ r1: run });
}

describe("isActiveTry", () => {
  it.each<[string, TaskState, number, { runId: string; taskId: string; try: number }, boolean]>([
    ["a queued try", "queued", 2, { runId: "r1", taskId: "work", try: 2 }, true],
    ["a running try", "running", 2, { runId: "r1", taskId: "work", try: 2 }, true],
    ["an earlier try of a running task", "running", 2, { runId: "r1", taskId: "work", try: 1 }, false],
    ["a finished try", "success", 2, { runId: "r1", taskId: "work", try: 2 }, false],
    ["a try waiting to be retried", "up_for_retry", 2, { runId: "r1", taskId: "work", try: 2 }, false],
    ["a task the run does not have", "running", 1, { runId: "r1", taskId: "other", try: 1 }, false],
    ["a run not in the state", "running", 1, { runId: "r2", taskId: "work", try: 1 }, false],
    [
      "a run id that is a prototype name",
      "running",
      1,
      { runId: "__proto__", taskId: "work", try: 1 },
      false,
    ],
    [
      "a run id that is an Object method",
      "running",
      1,
      { runId: "constructor", taskId: "work", try: 1 },
      false,
    ],
  ])("%s", (_name, state, tryNumber, key, active) => {
    expect(isActiveTry(runWith(state, tryNumber), key)).toBe(active);
  });

  it("answers from a plain record too (no prototype lookups)", () => {
    const runs = { ...runWith("running", 1) };
    expect(isActiveTry(runs, { runId: "toString", taskId: "work", try: 1 })).toBe(false);
  });
});
