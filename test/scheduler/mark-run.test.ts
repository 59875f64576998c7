import { describe, expect, it } from "vitest";
import type { TaskState } from "../../src/runs/run-model.ts";
import { markRun, markTask } from "../../src/scheduler/run-mark.ts";
import { advanceRuns } from "../../src/scheduler/plan-tick.ts";
import { advanceRun } from "../../src/scheduler/run-progress.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { buildDag, pod, runOf, setStates, statesOf, task } from "./fixtures.ts";
import { later } from "./run-steps.ts";

/** a → b → c, and d on its own; c runs only if all upstream succeeded. */
const dag = buildDag({
  tasks: [pod("a"), pod("b", { dependsOn: "a", retries: 1 }), pod("c", { dependsOn: "b" }), pod("d")],
});

function runWith(states: Record<string, TaskState>) {
  const run = runOf(dag);
  run.state = "running";
  setStates(run, states);
  // Tasks that ran used their first try; scheduled and upstream_failed ones never ran.
  for (const instance of run.tasks)
    if (!["scheduled", "upstream_failed"].includes(instance.state)) instance.try = 1;
  return run;
}

describe("markRun", () => {
  it("success: every task not yet successful becomes success, live tries are handed out to cancel", () => {
    const run = runWith({ a: "success", b: "running", c: "scheduled", d: "failed" });
    const keys = markRun(run, "success", "alice", later(5000));
    expect(keys.map((key) => key.taskId)).toEqual(["b"]);
    expect(statesOf(run)).toEqual({ a: "success", b: "success", c: "success", d: "success" });
    expect(task(run, "b").reason).toBe("marked success by alice");
    expect(task(run, "a").reason).toBeNull();
    expect(run).toMatchObject({
      state: "success",
      reason: "marked success by alice",
      endedAt: later(5000).toISOString(),
    });
  });

  it("failed: as a stop, with reason 'marked failed by <actor>'", () => {
    const run = runWith({ a: "success", b: "queued", c: "scheduled", d: "running" });
    const keys = markRun(run, "failed", "alice", later(5000));
    expect(keys.map((key) => key.taskId)).toEqual(["b", "d"]);
    expect(statesOf(run)).toEqual({ a: "success", b: "failed", c: "upstream_failed", d: "failed" });
    expect(run).toMatchObject({ state: "failed", reason: "marked failed by alice" });
  });

  it("refuses a finished run (409)", () => {
    const run = runWith({ a: "success", b: "success", c: "success", d: "success" });
    run.state = "success";
    expect(() => markRun(run, "failed", "alice", later(1))).toThrow(
      expect.objectContaining({ code: "conflict" }),
    );
  });
});

describe("markTask", () => {
  it("marks a running task success without a retry; downstream then runs per its trigger rule", () => {
    const run = runWith({ a: "success", b: "running", c: "scheduled", d: "running" });
    const keys = markTask(run, dag.tasks, "b", "success", "alice", later(5000));
    expect(keys).toEqual([{ dagId: "fixture", runId: "run-1", taskId: "b", try: 1 }]);
    expect(task(run, "b")).toMatchObject({
      state: "success",
      reason: "marked success by alice",
      nextTryAt: null,
    });
    expect(advanceRun(run, dag.tasks, later(5000)).toStart).toEqual(["c"]);
  });

  it("marks a running task failed for good (no retry): downstream becomes upstream_failed", () => {
    const run = runWith({ a: "success", b: "running", c: "scheduled", d: "success" });
    markTask(run, dag.tasks, "b", "failed", "alice", later(5000));
    expect(task(run, "b")).toMatchObject({ state: "failed", reason: "marked failed by alice" });
    advanceRun(run, dag.tasks, later(5000));
    expect(statesOf(run)).toEqual({ a: "success", b: "failed", c: "upstream_failed", d: "success" });
    expect(run.state).toBe("failed");
  });

  it("marking a failed task success lets downstream that never ran be decided again", () => {
    const run = runWith({ a: "success", b: "failed", c: "upstream_failed", d: "running" });
    expect(markTask(run, dag.tasks, "b", "success", "alice", later(5000))).toEqual([]);
    expect(task(run, "c").state).toBe("scheduled");
    expect(advanceRun(run, dag.tasks, later(5000)).toStart).toEqual(["c"]);
  });

  it("refuses an unknown task (404) and a finished run (409)", () => {
    const run = runWith({ a: "success", b: "running", c: "scheduled", d: "running" });
    expect(() => markTask(run, dag.tasks, "zz", "success", "alice", later(1))).toThrow(
      expect.objectContaining({ code: "not_found" }),
    );
    run.state = "failed";
    expect(() => markTask(run, dag.tasks, "b", "success", "alice", later(1))).toThrow(
      expect.objectContaining({ code: "conflict" }),
    );
  });
});

describe("marking a task of a run queued behind maxActiveRuns", () => {
  it("keeps the run queued until a slot frees: the mark starts nothing", () => {
    const single = buildDag({ maxActiveRuns: 1, tasks: [pod("a"), pod("b", { dependsOn: "a" }), pod("d")] });
    const state = emptyActiveState();
    const first = runOf(single, "2026-05-01T10:00:00.000Z", "run-1");
    const second = runOf(single, "2026-05-01T11:00:00.000Z", "run-2");
    state.runs[first.id] = first;
    state.runs[second.id] = second;
    const context = { definitionOf: () => single };
    advanceRuns(state, later(1), context);
    expect([first.state, second.state]).toEqual(["running", "queued"]);

    markTask(second, single.tasks, "a", "success", "alice", later(2));
    const advance = advanceRuns(state, later(2), context);
    expect(advance.launches.map(({ run, instance }) => `${run.id}/${instance.id}`)).toEqual([]);
    expect(second.state).toBe("queued");
    expect(second.startedAt).toBeNull();

    // The first run ends: the second takes the slot, and only what the mark left runs.
    for (const instance of first.tasks) Object.assign(instance, { state: "success" });
    const next = advanceRuns(state, later(3), context);
    expect(second.state).toBe("running");
    expect(next.launches.map(({ run, instance }) => `${run.id}/${instance.id}`).sort()).toEqual([
      "run-2/b",
      "run-2/d",
    ]);
  });

  it("finishes a queued run whose tasks the marks all ended, without waiting for a slot", () => {
    const single = buildDag({ maxActiveRuns: 1, tasks: [pod("a")] });
    const state = emptyActiveState();
    const first = runOf(single, "2026-05-01T10:00:00.000Z", "run-1");
    const second = runOf(single, "2026-05-01T11:00:00.000Z", "run-2");
    state.runs[first.id] = first;
    state.runs[second.id] = second;
    const context = { definitionOf: () => single };
    advanceRuns(state, later(1), context);
    markTask(second, single.tasks, "a", "success", "alice", later(2));
    const advance = advanceRuns(state, later(2), context);
    expect(second.state).toBe("success");
    expect(advance.newlyFinished).toEqual([second]);
    expect(first.state).toBe("running");
  });
});
