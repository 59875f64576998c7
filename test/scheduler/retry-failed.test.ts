import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { advanceRuns } from "../../src/scheduler/plan-tick.ts";
import { rerunChecked } from "../../src/scheduler/rerun.ts";
import { checkRetryFailed, retryFailedTasks } from "../../src/scheduler/retry-failed.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { advanceRun } from "../../src/scheduler/run-progress.ts";
import { SchedulerError } from "../../src/scheduler/scheduler-error.ts";
import { at, buildDag, pod, runOf, statesOf, task } from "./fixtures.ts";
import { fail, later, succeed, T0 } from "./run-steps.ts";

/**
 * a → b → c → d (b fails, c and d never run); a → e succeeds (a branch that stays);
 * b → cleanup (all_done) runs after b's failure and succeeds.
 */
const dag = buildDag({
  tasks: [
    pod("a"),
    pod("b", { dependsOn: "a" }),
    pod("c", { dependsOn: "b" }),
    pod("d", { dependsOn: "c", retries: 2 }),
    pod("e", { dependsOn: "a" }),
    pod("cleanup", { dependsOn: "b", triggerRule: "all_done" }),
  ],
});

function failedRun(): Run {
  const run = runOf(dag);
  advanceRun(run, dag.tasks, at(T0));
  succeed(run, dag, "a", later(1000), { rows: 7 });
  advanceRun(run, dag.tasks, later(1000));
  succeed(run, dag, "e", later(2000), { ok: true });
  fail(run, dag, "b", later(2000));
  advanceRun(run, dag.tasks, later(2000));
  succeed(run, dag, "cleanup", later(3000));
  advanceRun(run, dag.tasks, later(3000));
  return run;
}

function refusal(work: () => unknown): SchedulerError {
  try {
    work();
  } catch (error) {
    if (error instanceof SchedulerError) return error;
    throw error;
  }
  throw new Error("expected a SchedulerError");
}

describe("retryFailedTasks", () => {
  it("starts from a failed run: success → failed → upstream_failed, a branch and a cleanup that succeeded", () => {
    const run = failedRun();
    expect(run.state).toBe("failed");
    expect(statesOf(run)).toEqual({
      a: "success",
      b: "failed",
      c: "upstream_failed",
      d: "upstream_failed",
      e: "success",
      cleanup: "success",
    });
  });

  it("clears every failed and upstream_failed task in one step and leaves the successful ones as they were", () => {
    const run = failedRun();
    const kept = structuredClone([task(run, "a"), task(run, "e"), task(run, "cleanup")]);
    expect(retryFailedTasks(run, dag.tasks).sort()).toEqual(["b", "c", "d"]);
    expect(statesOf(run)).toEqual({
      a: "success",
      b: "scheduled",
      c: "scheduled",
      d: "scheduled",
      e: "success",
      cleanup: "success",
    });
    expect([task(run, "a"), task(run, "e"), task(run, "cleanup")]).toEqual(kept);
    expect(task(run, "b")).toMatchObject({ try: 1, maxTries: 2, reason: null, endedAt: null });
    expect(task(run, "d")).toMatchObject({ try: 0, maxTries: 3 });
    expect(run.state).toBe("running");
    expect(run.endedAt).toBeNull();
  });

  it("runs the cleared tasks with their next try numbers; the run can then succeed", () => {
    const run = failedRun();
    retryFailedTasks(run, dag.tasks);
    expect(advanceRun(run, dag.tasks, later(10_000))).toEqual({ toStart: ["b"] });
    expect(task(run, "b").tries.map((entry) => entry.try)).toEqual([1, 2]);
    succeed(run, dag, "b", later(11_000));
    expect(advanceRun(run, dag.tasks, later(11_000))).toEqual({ toStart: ["c"] });
    succeed(run, dag, "c", later(12_000));
    expect(advanceRun(run, dag.tasks, later(12_000))).toEqual({ toStart: ["d"] });
    succeed(run, dag, "d", later(13_000));
    advanceRun(run, dag.tasks, later(13_000));
    expect(run.state).toBe("success");
    expect(task(run, "a")).toMatchObject({ try: 1, result: { rows: 7 }, hasResult: true });
    expect(task(run, "c").try).toBe(1);
  });
});

describe("checkRetryFailed", () => {
  const known = () => dag;

  it.each([
    {
      name: "an unknown run is not found",
      run: () => undefined,
      code: "not_found",
      message: 'no run with id "run-1"',
    },
    {
      name: "a run still running is a conflict",
      run: () => {
        const run = runOf(dag);
        advanceRun(run, dag.tasks, at(T0));
        return run;
      },
      code: "conflict",
      message: 'run "run-1" is running; only a finished run can retry its failed tasks',
    },
    {
      name: "a run without failed tasks is a conflict that says so",
      run: () => {
        const run = runOf(dag);
        run.state = "success";
        for (const instance of run.tasks) instance.state = "success";
        return run;
      },
      code: "conflict",
      message: 'run "run-1" has no failed or upstream_failed tasks; there is nothing to retry',
    },
  ])("$name", ({ run, code, message }) => {
    const error = refusal(() => checkRetryFailed("run-1", run(), known));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it("refuses a run whose DAG is no longer defined", () => {
    const error = refusal(() => checkRetryFailed("run-1", failedRun(), () => undefined));
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/DAG "fixture" is no longer defined/);
  });

  it("accepts a finished run with failed tasks", () => {
    const run = failedRun();
    expect(checkRetryFailed("run-1", run, known)).toEqual({ run, definition: dag });
  });
});

describe("retry-failed and maxActiveRuns", () => {
  it("a finished run retried while another run of its DAG holds the only slot waits for it", async () => {
    const single = { ...dag, maxActiveRuns: 1 };
    const state = emptyActiveState();
    const store = {
      state,
      update: async (change: (s: typeof state) => void) => change(state),
      reactivate: async (copy: Run) => void (state.runs[copy.id] = copy),
    };
    const busy = runOf(single, "2026-05-02T10:00:00.000Z", "run-busy");
    state.runs[busy.id] = busy;
    const context = { definitionOf: () => single };
    advanceRuns(state, later(4000), context);
    expect(busy.state).toBe("running");

    const retried = await rerunChecked(
      store,
      { run: failedRun(), definition: single },
      (r, d) => void retryFailedTasks(r, d.tasks),
      later(5000),
    );
    const advance = advanceRuns(state, later(5000), context);
    expect(advance.launches.map(({ run, instance }) => `${run.id}/${instance.id}`)).toEqual([]);
    expect(retried.state).toBe("queued");

    // The busy run ends: the retried one takes the slot and runs what failed.
    for (const instance of busy.tasks) instance.state = "success";
    const next = advanceRuns(state, later(6000), context);
    expect(next.launches.map(({ run, instance }) => `${run.id}/${instance.id}`)).toEqual(["run-1/b"]);
    expect(retried.state).toBe("running");
    // Not announced or noted a second time; its runTimeout counts from when it got the slot.
    expect(next.started).toEqual([]);
    expect(retried.resumedAt).toBe(later(6000).toISOString());
  });
});
