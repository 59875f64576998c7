import { describe, expect, it } from "vitest";
import type { ExecutorEvent } from "../../src/executor/executor.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { applyExecutorEvents } from "../../src/scheduler/executor-events.ts";
import { retryFailedTasks } from "../../src/scheduler/retry-failed.ts";
import { advanceRun, clearTask, failRun, failTry, startTry } from "../../src/scheduler/run-progress.ts";
import { stopRun } from "../../src/scheduler/run-stop.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { at, buildDag, pod, runOf, statesOf, task } from "./fixtures.ts";
import { later, T0 } from "./run-steps.ts";

const dag = buildDag({
  retries: 1,
  retryDelay: "30s",
  tasks: [pod("a"), pod("b"), pod("c", { dependsOn: "a" })],
});

/** A run whose tasks a and b are queued as try 1. */
function queuedRun(): Run {
  const run = runOf(dag);
  advanceRun(run, dag.tasks, at(T0));
  return run;
}

describe("startTry", () => {
  it("marks the task and its current try running, with the pod", () => {
    const run = queuedRun();
    startTry(task(run, "a"), "pod-a", later(1000));
    expect(task(run, "a")).toMatchObject({
      state: "running",
      startedAt: later(1000).toISOString(),
      podName: "pod-a",
    });
    expect(task(run, "a").tries).toEqual([
      {
        try: 1,
        state: "running",
        startedAt: later(1000).toISOString(),
        endedAt: null,
        exitCode: null,
        reason: null,
        podName: "pod-a",
      },
    ]);
  });
});

describe("failTry", () => {
  it("fails the try for good, whatever retries were left", () => {
    const run = queuedRun();
    failTry(task(run, "a"), "template error: x", later(1000));
    expect(task(run, "a")).toMatchObject({
      state: "failed",
      maxTries: 1,
      reason: "template error: x",
      exitCode: null,
      endedAt: later(1000).toISOString(),
      nextTryAt: null,
    });
    expect(task(run, "a").tries.map((t) => [t.state, t.reason])).toEqual([["failed", "template error: x"]]);
  });
});

describe("failRun", () => {
  it("fails every unfinished task and returns the live tries to cancel", () => {
    const run = queuedRun();
    startTry(task(run, "a"), null, later(1000));
    const keys = failRun(run, "replaced", later(2000));
    expect(keys).toEqual([
      { dagId: "fixture", runId: "run-1", taskId: "a", try: 1 },
      { dagId: "fixture", runId: "run-1", taskId: "b", try: 1 },
    ]);
    expect(statesOf(run)).toEqual({ a: "failed", b: "failed", c: "failed" });
    expect(run.tasks.map((t) => t.reason)).toEqual(["replaced", "replaced", "replaced"]);
  });
});

describe("applyExecutorEvents", () => {
  const key = (taskId: string, tryNumber = 1) => ({
    dagId: "fixture",
    runId: "run-1",
    taskId,
    try: tryNumber,
  });
  const finished = (taskId: string, tryNumber = 1): ExecutorEvent => ({
    type: "finished",
    key: key(taskId, tryNumber),
    exitCode: 0,
    result: { present: true, value: { n: 1 } },
  });
  const failed = (taskId: string): ExecutorEvent => ({
    type: "failed",
    key: key(taskId),
    exitCode: 2,
    reason: "exit code 2",
  });
  const running = (taskId: string): ExecutorEvent => ({ type: "running", key: key(taskId), podName: "p" });

  function stateOf(run: Run) {
    const state = emptyActiveState();
    state.runs[run.id] = run;
    return state;
  }

  it.each([
    {
      what: "a running event",
      events: [running("a")],
      applied: ["running a"],
      states: { a: "running", b: "queued" },
    },
    {
      what: "running then finished",
      events: [running("a"), finished("a")],
      applied: ["running a", "finished a"],
      states: { a: "success", b: "queued" },
    },
    {
      what: "a failure with a retry left",
      events: [failed("b")],
      applied: ["failed b"],
      states: { a: "queued", b: "up_for_retry" },
    },
    {
      what: "a second running event",
      events: [running("a"), running("a")],
      applied: ["running a"],
      states: { a: "running", b: "queued" },
    },
    {
      what: "an event of another try",
      events: [finished("a", 2)],
      applied: [],
      states: { a: "queued", b: "queued" },
    },
    {
      what: "an event after the try ended",
      events: [failed("b"), finished("b")],
      applied: ["failed b"],
      states: { a: "queued", b: "up_for_retry" },
    },
    {
      what: "an event of an unknown run or task",
      events: [{ ...running("a"), key: { ...key("a"), runId: "nope" } }, running("zz")],
      applied: [],
      states: { a: "queued", b: "queued" },
    },
  ] satisfies Array<{
    what: string;
    events: ExecutorEvent[];
    applied: string[];
    states: Record<string, string>;
  }>)("applies $what", ({ events, applied, states }) => {
    const run = queuedRun();
    const result = applyExecutorEvents(stateOf(run), events, () => dag, later(1000));
    expect(result.map(({ event, instance }) => `${event.type} ${instance.id}`)).toEqual(applied);
    expect(statesOf(run)).toMatchObject(states);
  });

  it("stores a finished try's exit code and result, and a failure's reason and retry time", () => {
    const run = queuedRun();
    applyExecutorEvents(stateOf(run), [finished("a"), failed("b")], () => dag, later(1000));
    expect(task(run, "a")).toMatchObject({ exitCode: 0, hasResult: true, result: { n: 1 } });
    expect(task(run, "b")).toMatchObject({
      exitCode: 2,
      reason: "exit code 2",
      nextTryAt: later(31_000).toISOString(),
    });
  });

  it("retries at once when the run's definition is gone", () => {
    const run = queuedRun();
    applyExecutorEvents(stateOf(run), [failed("b")], () => undefined, later(1000));
    expect(task(run, "b")).toMatchObject({ state: "up_for_retry", nextTryAt: later(1000).toISOString() });
  });

  // A stopped try's end report comes after its process or Pod is gone (a Pod's grace period may
  // last 30 s); a retry-failed or clear in between has made the task wait for its next try.
  it.each([
    ["retry-failed", (run: Run) => void retryFailedTasks(run, dag.tasks)],
    ["clear", (run: Run) => void clearTask(run, dag.tasks, "a")],
  ])("ignores a stopped try's late end report after %s", (_what, rerun) => {
    const run = queuedRun();
    const state = stateOf(run);
    applyExecutorEvents(state, [running("a")], () => dag, later(500));
    stopRun(run, "alice", later(1000));
    rerun(run);
    expect(task(run, "a")).toMatchObject({ state: "scheduled", try: 1 });
    const late = { ...failed("a"), reason: "stopped by alice" };
    expect(applyExecutorEvents(state, [late], () => dag, later(2000))).toEqual([]);
    expect(task(run, "a")).toMatchObject({ state: "scheduled", try: 1, reason: null, nextTryAt: null });
    expect(advanceRun(run, dag.tasks, later(2000)).toStart).toContain("a");
    expect(task(run, "a").try).toBe(2);
  });
});
