import { describe, expect, it } from "vitest";
import type { RunState, TaskState } from "../../src/runs/run-model.ts";
import { advanceRun, startTry } from "../../src/scheduler/run-progress.ts";
import { stopRun } from "../../src/scheduler/run-stop.ts";
import { SchedulerError } from "../../src/scheduler/scheduler-error.ts";
import { buildDag, pod, runOf, setStates, statesOf, task } from "./fixtures.ts";
import { fail, later, succeed, T0 } from "./run-steps.ts";

/** a → b → c, and d on its own; b retries once, a minute later. */
const dag = buildDag({
  tasks: [
    pod("a"),
    pod("b", { dependsOn: "a", retries: 1, retryDelay: "1m" }),
    pod("c", { dependsOn: "b" }),
    pod("d"),
  ],
});

const STOPPED = "stopped by alice";
const NOT_STARTED = "not started: stopped by alice";

describe("stopRun", () => {
  it.each<{
    name: string;
    given: Record<string, TaskState>;
    states: Record<string, TaskState>;
    reasons: Record<string, string | null>;
    cancelled: string[];
  }>([
    {
      name: "running and queued tries fail and are cancelled; tasks not started become upstream_failed",
      given: { a: "success", b: "running", c: "scheduled", d: "queued" },
      states: { a: "success", b: "failed", c: "upstream_failed", d: "failed" },
      reasons: { a: null, b: STOPPED, c: NOT_STARTED, d: STOPPED },
      cancelled: ["b", "d"],
    },
    {
      name: "a task waiting for its retry fails without a cancel (nothing of it runs)",
      given: { a: "success", b: "up_for_retry", c: "scheduled", d: "success" },
      states: { a: "success", b: "failed", c: "upstream_failed", d: "success" },
      reasons: { a: null, b: STOPPED, c: NOT_STARTED, d: null },
      cancelled: [],
    },
    {
      name: "a queued run that never started: every task is upstream_failed",
      given: { a: "scheduled", b: "scheduled", c: "scheduled", d: "scheduled" },
      states: { a: "upstream_failed", b: "upstream_failed", c: "upstream_failed", d: "upstream_failed" },
      reasons: { a: NOT_STARTED, b: NOT_STARTED, c: NOT_STARTED, d: NOT_STARTED },
      cancelled: [],
    },
  ])("$name", ({ given, states, reasons, cancelled }) => {
    const run = runOf(dag);
    run.state = "running";
    setStates(run, given);
    const keys = stopRun(run, "alice", later(5000));
    expect(statesOf(run)).toEqual(states);
    expect(Object.fromEntries(run.tasks.map((t) => [t.id, t.reason]))).toEqual(reasons);
    expect(keys.map((key) => key.taskId)).toEqual(cancelled);
    expect(run.state).toBe("failed");
    expect(run.reason).toBe(STOPPED);
    expect(run.endedAt).toBe(later(5000).toISOString());
  });

  it("records the stop on the running try and hands out its key", () => {
    const run = runOf(dag);
    advanceRun(run, dag.tasks, later(0));
    startTry(task(run, "a"), "pod-a", later(100));
    const keys = stopRun(run, "alice", later(5000));
    expect(keys).toEqual([
      { dagId: "fixture", runId: "run-1", taskId: "a", try: 1 },
      { dagId: "fixture", runId: "run-1", taskId: "d", try: 1 },
    ]);
    expect(task(run, "a").tries.at(-1)).toMatchObject({ state: "failed", reason: STOPPED });
    expect(task(run, "a").endedAt).toBe(later(5000).toISOString());
    // Later ticks leave a stopped run as it is: no retry is due, nothing starts.
    expect(advanceRun(run, dag.tasks, later(10 * 60_000)).toStart).toEqual([]);
    expect(run.state).toBe("failed");
  });

  it.each<RunState>(["success", "failed"])("refuses a run already %s (409)", (state) => {
    const run = runOf(dag);
    advanceRun(run, dag.tasks, later(0));
    for (const id of ["a", "d"]) succeed(run, dag, id, later(1));
    fail(run, dag, "b", later(2));
    run.state = state;
    const before = structuredClone(run);
    expect(() => stopRun(run, "alice", later(5000))).toThrow(
      expect.objectContaining({ code: "conflict", message: expect.stringContaining(`is ${state}`) }),
    );
    expect(run).toEqual(before);
  });

  it("throws a SchedulerError class callers can branch on", () => {
    const run = runOf(dag);
    run.state = "success";
    expect(() => stopRun(run, "bob", at0())).toThrow(SchedulerError);
  });
});

function at0(): Date {
  return new Date(T0);
}

describe("stopRun and past tries", () => {
  it("keeps the record of a failed try when its task was waiting for a retry", () => {
    const run = runOf(dag);
    advanceRun(run, dag.tasks, later(0));
    succeed(run, dag, "a", later(1));
    advanceRun(run, dag.tasks, later(1));
    fail(run, dag, "b", later(2));
    expect(task(run, "b").state).toBe("up_for_retry");
    stopRun(run, "alice", later(5000));
    expect(task(run, "b")).toMatchObject({ state: "failed", reason: STOPPED, nextTryAt: null });
    expect(task(run, "b").tries).toEqual([
      expect.objectContaining({ state: "failed", exitCode: 1, reason: "exit code 1" }),
    ]);
  });
});
