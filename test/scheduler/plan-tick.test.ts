import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { scheduleDueTimes } from "../../src/scheduler/due-times.ts";
import { nextWakeAt, planTick, planTickActions, type TickContext } from "../../src/scheduler/plan-tick.ts";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { startTry } from "../../src/scheduler/run-progress.ts";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { at, buildDag, pod, runOf, statesOf, task } from "./fixtures.ts";

/** Half a minute past a whole minute: an every-minute DAG is next due in 30 s. */
const T0 = "2026-05-01T10:00:30.000Z";
const EVERY_MINUTE = "* * * * *";
const MAX_SLEEP_MS = 60_000;

/** The tick's context over plain data: runs live in `state.runs` with their definitions attached. */
function context(fields: Partial<TickContext> = {}, history: Run[] = []): TickContext {
  return {
    book: {
      addRun: (state, run) => void (state.runs[run.id] = run),
      recordSkip: (state, dagId, logicalDate, reason, now) =>
        void state.dags[dagId]?.skipped.push({ logicalDate, reason, at: now.toISOString() }),
      getRun: (runId) => history.find((run) => run.id === runId),
    },
    definitionOf: (run) => run.definition,
    dueTimes: scheduleDueTimes,
    maxSleepMs: MAX_SLEEP_MS,
    ...fields,
  };
}

function registered(...definitions: DagDefinition[]) {
  return definitions.map((definition) => ({ definition, commit: "c0ffee", snapshot: "/snapshots/c0ffee" }));
}

/** A state that has already scheduled `dag` up to `lastScheduledAt`. */
function stateWith(dag: DagDefinition, lastScheduledAt: string, runs: Run[] = []): ActiveState {
  const state = emptyActiveState();
  state.dags[dag.id] = { paused: false, lastScheduledAt, skipped: [] };
  for (const run of runs) state.runs[run.id] = run;
  return state;
}

const minutely = buildDag({ id: "minutely", schedule: EVERY_MINUTE });

describe("planTick: runs to create", () => {
  it.each([
    { now: "2026-05-01T10:00:59.999Z", created: [] },
    { now: "2026-05-01T10:01:00.000Z", created: ["2026-05-01T10:01:00.000Z"] },
    { now: "2026-05-01T10:01:30.000Z", created: ["2026-05-01T10:01:00.000Z"] },
  ])("at $now creates runs for $created", ({ now, created }) => {
    const state = stateWith(minutely, T0);
    const plan = planTick(state, registered(minutely), at(now), context());
    expect(plan.created.map((run) => [run.logicalDate, run.trigger, run.commit])).toEqual(
      created.map((date) => [date, "scheduled", "c0ffee"]),
    );
    expect(Object.keys(state.runs)).toEqual(plan.created.map((run) => run.id));
  });

  it("records a first DAG state for a new DAG and creates nothing for it yet (catchup off)", () => {
    const state = emptyActiveState();
    const plan = planTick(state, registered(minutely), at(T0), context());
    expect(plan.created).toEqual([]);
    expect(state.dags.minutely).toEqual({ paused: false, lastScheduledAt: T0, skipped: [] });
  });

  it("creates no run for an interval whose run is already in history", () => {
    const logicalDate = "2026-05-01T10:01:00.000Z";
    const archived = runOf(minutely, logicalDate, scheduledRunId("minutely", at(logicalDate)));
    const state = stateWith(minutely, T0);
    const plan = planTick(state, registered(minutely), at(logicalDate), context({}, [archived]));
    expect(plan.created).toEqual([]);
    expect(state.dags.minutely?.lastScheduledAt).toBe(logicalDate);
  });

  it("records a skip instead of a run under concurrencyPolicy forbid while a run is active", () => {
    const forbidding = buildDag({ id: "forbidding", schedule: EVERY_MINUTE, concurrencyPolicy: "forbid" });
    const active = runOf(forbidding, "2026-05-01T10:01:00.000Z", "forbidding-1");
    active.state = "running";
    const state = stateWith(forbidding, "2026-05-01T10:01:00.000Z", [active]);
    const plan = planTick(state, registered(forbidding), at("2026-05-01T10:02:00.000Z"), context());
    expect(plan.created).toEqual([]);
    expect(state.dags.forbidding?.skipped).toEqual([
      {
        logicalDate: "2026-05-01T10:02:00.000Z",
        reason: "concurrencyPolicy forbid: run forbidding-1 is still active",
        at: "2026-05-01T10:02:00.000Z",
      },
    ]);
  });

  it("fails a replaced run's unfinished tasks and asks to cancel its live tries (concurrencyPolicy replace)", () => {
    const replacing = buildDag({
      id: "replacing",
      schedule: EVERY_MINUTE,
      concurrencyPolicy: "replace",
      tasks: [pod("a"), pod("b", { dependsOn: "a" })],
    });
    const old = runOf(replacing, "2026-05-01T10:01:00.000Z", "replacing-1");
    const state = stateWith(replacing, "2026-05-01T10:01:00.000Z", [old]);
    planTick(state, registered(replacing), at("2026-05-01T10:01:00.000Z"), context());
    startTry(task(old, "a"), "pod-a", at("2026-05-01T10:01:01.000Z"));

    const now = at("2026-05-01T10:02:00.000Z");
    const plan = planTick(state, registered(replacing), now, context());
    const reason = "replaced by a newer run (concurrencyPolicy replace)";
    expect(plan.cancels).toEqual([
      { key: { dagId: "replacing", runId: "replacing-1", taskId: "a", try: 1 }, reason },
    ]);
    expect(statesOf(old)).toEqual({ a: "failed", b: "failed" });
    expect(old.state).toBe("failed");
    expect(plan.newlyFinished.map((run) => run.id)).toEqual(["replacing-1"]);
    expect(plan.created.map((run) => run.id)).toEqual([scheduledRunId("replacing", now)]);
    expect(plan.launches.map(({ run, instance }) => [run.id, instance.id])).toEqual([
      [scheduledRunId("replacing", now), "a"],
    ]);
  });
});

describe("planTick: tries to start", () => {
  const single = buildDag({ id: "single", maxActiveRuns: 1 });

  it("starts the oldest waiting run only, while maxActiveRuns=1, and notes the executor's notes on it", () => {
    const first = runOf(single, "2026-05-01T10:00:00.000Z", "single-1");
    const second = runOf(single, "2026-05-01T10:00:10.000Z", "single-2");
    const state = stateWith(single, T0, [second, first]);
    const plan = planTick(state, [], at(T0), context({ notes: ["tasks run here"] }));
    expect(plan.launches.map(({ run, instance }) => [run.id, instance.id, instance.try])).toEqual([
      ["single-1", "only", 1],
    ]);
    expect(plan.started.map((run) => run.id)).toEqual(["single-1"]);
    expect([first.state, second.state]).toEqual(["running", "queued"]);
    expect([first.notes, second.notes]).toEqual([["tasks run here"], []]);
  });

  it("gives the slot of a run that finishes in this tick to a waiting run", () => {
    const first = runOf(single, "2026-05-01T10:00:00.000Z", "single-1");
    const second = runOf(single, "2026-05-01T10:00:10.000Z", "single-2");
    const state = stateWith(single, T0, [first, second]);
    planTick(state, [], at(T0), context());
    const only = task(first, "only");
    startTry(only, null, at(T0));
    only.state = "success";

    const plan = planTick(state, [], at("2026-05-01T10:00:40.000Z"), context());
    expect(plan.newlyFinished.map((run) => run.id)).toEqual(["single-1"]);
    expect(plan.finished.map((run) => run.id)).toEqual(["single-1"]);
    expect(plan.started.map((run) => run.id)).toEqual(["single-2"]);
    expect(plan.launches.map(({ run }) => run.id)).toEqual(["single-2"]);

    // A final run still in state (its archive failed) is archived again, but finishes only once.
    const again = planTick(state, [], at("2026-05-01T10:00:50.000Z"), context());
    expect(again.finished.map((run) => run.id)).toEqual(["single-1"]);
    expect(again.newlyFinished).toEqual([]);
    expect(again.started).toEqual([]);
  });

  it("leaves runs of a DAG without definition alone", () => {
    const orphan = runOf(single, "2026-05-01T10:00:00.000Z", "orphan");
    const state = stateWith(single, T0, [orphan]);
    const plan = planTick(state, [], at(T0), context({ definitionOf: () => undefined }));
    expect([plan.launches, plan.started, orphan.state]).toEqual([[], [], "queued"]);
  });
});

describe("planTick: timeouts and the next wake-up", () => {
  const slow = buildDag({ id: "slow", tasks: [pod("only", { timeout: "30s" })] });

  /** A run of `slow` whose only try has been running since `startedAt`. */
  function runningSince(startedAt: string): ActiveState {
    const run = runOf(slow, startedAt, "slow-1");
    const state = stateWith(slow, startedAt, [run]);
    planTick(state, [], at(startedAt), context());
    startTry(task(run, "only"), null, at(startedAt));
    return state;
  }

  it.each([
    { now: "2026-05-01T10:00:59.999Z", timeouts: [], wakeAt: "2026-05-01T10:01:00.000Z" },
    {
      now: "2026-05-01T10:01:00.000Z",
      timeouts: [
        { key: { dagId: "slow", runId: "slow-1", taskId: "only", try: 1 }, reason: "timed out after 30s" },
      ],
      wakeAt: "2026-05-01T10:02:00.000Z",
    },
  ])("at $now: timeouts due $timeouts.length, wakes at $wakeAt", ({ now, timeouts, wakeAt }) => {
    const state = runningSince("2026-05-01T10:00:30.000Z");
    const plan = planTick(state, [], at(now), context());
    expect(plan.timeouts).toEqual(timeouts);
    expect(new Date(plan.wakeAt).toISOString()).toBe(wakeAt);
  });

  it.each([
    { what: "nothing to do: maxSleepMs", dags: [], retryAt: null, wakeAt: "2026-05-01T10:01:30.000Z" },
    { what: "the next due time", dags: [minutely], retryAt: null, wakeAt: "2026-05-01T10:01:00.000Z" },
    {
      what: "a retry that is due sooner",
      dags: [minutely],
      retryAt: "2026-05-01T10:00:45.000Z",
      wakeAt: "2026-05-01T10:00:45.000Z",
    },
  ])("wakes for $what", ({ dags, retryAt, wakeAt }) => {
    const state = stateWith(minutely, T0);
    if (retryAt) {
      const run = runOf(minutely, T0, "retrying");
      Object.assign(task(run, "only"), { state: "up_for_retry", nextTryAt: retryAt });
      run.state = "running";
      state.runs[run.id] = run;
    }
    expect(new Date(nextWakeAt(state, registered(...dags), at(T0), context())).toISOString()).toBe(wakeAt);
  });

  it("does not wake for a paused DAG's schedule", () => {
    const state = stateWith(minutely, T0);
    const dagState = state.dags.minutely;
    if (dagState) dagState.paused = true;
    expect(nextWakeAt(state, registered(minutely), at(T0), context())).toBe(at(T0).getTime() + MAX_SLEEP_MS);
  });
});

describe("planTickActions: a busy second", () => {
  it("creates and queues every due DAG's run without computing its following due time", () => {
    const dags = Array.from({ length: 3 }, (_, i) => buildDag({ id: `due_${i}`, schedule: EVERY_MINUTE }));
    const state = emptyActiveState();
    for (const dag of dags) state.dags[dag.id] = { paused: false, lastScheduledAt: T0, skipped: [] };
    const asked: string[] = [];
    const dueTimes: TickContext["dueTimes"] = (dag, dagState) => {
      asked.push(`${dag.id} after ${dagState.lastScheduledAt}`);
      return scheduleDueTimes(dag, dagState);
    };
    const now = at("2026-05-01T10:01:00.000Z");
    const actions = planTickActions(state, registered(...dags), now, context({ dueTimes }));
    expect(actions.created.map((run) => run.dagId)).toEqual(["due_0", "due_1", "due_2"]);
    expect(actions.launches.map(({ run }) => run.dagId)).toEqual(["due_0", "due_1", "due_2"]);
    // Only the times known before the tick were asked for; the following ones wait for nextWakeAt.
    expect(asked).toEqual(dags.map((dag) => `${dag.id} after ${T0}`));
    asked.length = 0;
    const wakeAt = nextWakeAt(state, registered(...dags), now, context({ dueTimes }));
    expect(new Date(wakeAt).toISOString()).toBe("2026-05-01T10:02:00.000Z");
    expect(asked).toEqual(dags.map((dag) => `${dag.id} after 2026-05-01T10:01:00.000Z`));
  });

  it("planTick is planTickActions followed by nextWakeAt", () => {
    const plan = planTick(
      stateWith(minutely, T0),
      registered(minutely),
      at("2026-05-01T10:01:00.000Z"),
      context(),
    );
    const state = stateWith(minutely, T0);
    const actions = planTickActions(state, registered(minutely), at("2026-05-01T10:01:00.000Z"), context());
    expect(plan.created.map((run) => run.id)).toEqual(actions.created.map((run) => run.id));
    expect(plan.wakeAt).toBe(
      nextWakeAt(state, registered(minutely), at("2026-05-01T10:01:00.000Z"), context()),
    );
  });
});
