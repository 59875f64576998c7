// Issue #15 point 6: a run still going `runTimeout` after it started is stopped as a stop does.
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { scheduleDueTimes } from "../../src/scheduler/due-times.ts";
import { durationText } from "../../src/scheduler/duration-text.ts";
import { nextWakeAt, planTick, type TickContext } from "../../src/scheduler/plan-tick.ts";
import { advanceRun, startTry } from "../../src/scheduler/run-progress.ts";
import { nextRunDeadline, stopRunsPastDeadline } from "../../src/scheduler/run-deadline.ts";
import { rerunChecked } from "../../src/scheduler/rerun.ts";
import { retryFailedTasks } from "../../src/scheduler/retry-failed.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { buildDag, pod, runOf, statesOf, task } from "./fixtures.ts";
import { later, T0 } from "./run-steps.ts";

const context: Pick<TickContext, "definitionOf"> = { definitionOf: (run) => run.definition };

/** a → b; b waits for a. */
function timedDag(runTimeout?: string): DagDefinition {
  return buildDag({
    id: "timed",
    ...(runTimeout ? { runTimeout } : {}),
    tasks: [pod("a"), pod("b", { dependsOn: "a" })],
  });
}

/** A run of `dag` started at T0, its first task running. */
function startedRun(dag: DagDefinition, id = "run-1"): Run {
  const run = runOf(dag, T0, id);
  advanceRun(run, dag.tasks, later(0));
  startTry(task(run, "a"), null, later(0));
  return run;
}

function stateOf(...runs: Run[]) {
  const state = emptyActiveState();
  for (const run of runs) state.runs[run.id] = run;
  return state;
}

describe("stopRunsPastDeadline", () => {
  it.each([
    { name: "before the deadline nothing stops", timeout: "2h", nowMs: 7_199_999, stopped: false },
    { name: "at the deadline the run stops", timeout: "2h", nowMs: 7_200_000, stopped: true },
    { name: "long past it the run stops", timeout: "90m", nowMs: 10_000_000, stopped: true },
    { name: "a DAG without runTimeout is never stopped", timeout: undefined, nowMs: 1e12, stopped: false },
  ])("$name", ({ timeout, nowMs, stopped }) => {
    const run = startedRun(timedDag(timeout));
    const cancels = stopRunsPastDeadline(stateOf(run), later(nowMs), context);
    if (!stopped) {
      expect(cancels).toEqual([]);
      expect(run.state).toBe("running");
      return;
    }
    const reason = `run timed out after ${timeout}`;
    expect(cancels).toEqual([{ key: { dagId: "timed", runId: "run-1", taskId: "a", try: 1 }, reason }]);
    expect(run).toMatchObject({ state: "failed", reason, endedAt: later(nowMs).toISOString() });
    expect(statesOf(run)).toEqual({ a: "failed", b: "upstream_failed" });
    expect(task(run, "b").reason).toBe(`not started: ${reason}`);
  });

  it("does not time a queued run (the clock starts when the run starts)", () => {
    const run = runOf(timedDag("1s"), T0);
    const state = stateOf(run);
    expect(stopRunsPastDeadline(state, later(3_600_000), context)).toEqual([]);
    expect(nextRunDeadline(state, later(0), context)).toBeUndefined();
    expect(run.state).toBe("queued");
  });

  it("uses the definition the run was created with, not a newer one", () => {
    const run = startedRun(timedDag("1m"));
    const newer = timedDag(undefined);
    expect(stopRunsPastDeadline(stateOf(run), later(60_000), { definitionOf: () => newer })).toEqual([]);
    expect(stopRunsPastDeadline(stateOf(run), later(60_000), context)).toHaveLength(1);
  });

  it("a finished run made to run again (retry-failed) gets a fresh runTimeout from then", async () => {
    const dag = timedDag("2s");
    const run = startedRun(dag);
    stopRunsPastDeadline(stateOf(run), later(2000), context);
    expect(run.state).toBe("failed");
    const state = stateOf();
    const store = {
      state,
      update: async (change: (s: typeof state) => void) => change(state),
      reactivate: async (copy: Run) => void (state.runs[copy.id] = copy),
    };
    const again = await rerunChecked(
      store,
      { run, definition: dag },
      (r, d) => void retryFailedTasks(r, d.tasks),
      later(60_000),
    );
    advanceRun(again, dag.tasks, later(60_000));
    expect(again).toMatchObject({ state: "running", resumedAt: later(60_000).toISOString() });
    // The old reason ("run timed out after 2s") no longer says why the run is where it is.
    expect(again.reason).toBeUndefined();
    expect(stopRunsPastDeadline(state, later(61_999), context)).toEqual([]);
    expect(nextRunDeadline(state, later(60_000), context)).toBe(later(62_000).getTime());
    expect(stopRunsPastDeadline(state, later(62_000), context)).toHaveLength(1);
  });

  it("nextRunDeadline is the soonest future deadline of running runs", () => {
    const slow = startedRun(timedDag("2h"), "slow");
    const fast = startedRun(timedDag("30s"), "fast");
    const state = stateOf(slow, fast);
    expect(nextRunDeadline(state, later(0), context)).toBe(later(30_000).getTime());
    expect(nextRunDeadline(state, later(30_000), context)).toBe(later(7_200_000).getTime());
    expect(nextRunDeadline(state, later(7_200_000), context)).toBeUndefined();
  });

  it.each([
    [7_200_000, "2h"],
    [5_400_000, "90m"],
    [30_000, "30s"],
    [86_400_000, "1d"],
    [1500, "1500ms"],
  ])("durationText(%i) is %s", (ms, text) => expect(durationText(ms)).toBe(text));
});

describe("planTick with runTimeout", () => {
  const tickContext = (): TickContext => ({
    book: { addRun: () => {}, recordSkip: () => {}, getRun: () => undefined },
    definitionOf: (run) => run.definition,
    dueTimes: scheduleDueTimes,
    maxSleepMs: 3_600_000,
  });

  it("cancels the timed-out run's live tries, frees its slot for the next queued run, and wakes for the deadline", () => {
    const dag = buildDag({ id: "timed", runTimeout: "2s", maxActiveRuns: 1, tasks: [pod("a")] });
    const first = startedRun(dag, "first");
    const second = runOf(dag, later(1).toISOString(), "second");
    const state = stateOf(first, second);
    expect(nextWakeAt(state, [], later(0), tickContext())).toBe(later(2000).getTime());

    const plan = planTick(state, [], later(2000), tickContext());
    expect(plan.cancels).toEqual([
      {
        key: { dagId: "timed", runId: "first", taskId: "a", try: 1 },
        reason: "run timed out after 2s",
      },
    ]);
    expect(plan.newlyFinished.map((run) => run.id)).toEqual(["first"]);
    expect(plan.started.map((run) => run.id)).toEqual(["second"]);
    expect(plan.launches.map(({ run }) => run.id)).toEqual(["second"]);
  });
});
