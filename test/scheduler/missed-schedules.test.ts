// Issue #15 point 7: a scheduled run not started `expectedWithin` (or not finished `finishWithin`)
// after its logical date is a missed schedule, alerted once per logical date.
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { ActiveState } from "../../src/runs/active-state.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { scheduleDueTimes } from "../../src/scheduler/due-times.ts";
import { nextMissedScheduleCheck } from "../../src/scheduler/missed-schedules.ts";
import { planTick, type TickContext } from "../../src/scheduler/plan-tick.ts";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { finishTry } from "../../src/scheduler/run-progress.ts";
import { emptyActiveState, reviveActiveState } from "../../src/store/run-store.ts";
import { at, buildDag, task } from "./fixtures.ts";

const T0 = "2026-05-01T10:00:00.000Z";
const EVERY_MINUTE = "* * * * *";

function context(history: Run[] = []): TickContext {
  return {
    book: {
      addRun: (state, run) => void (state.runs[run.id] = run),
      recordSkip: (state, dagId, logicalDate, reason, now) =>
        void state.dags[dagId]?.skipped.push({ logicalDate, reason, at: now.toISOString() }),
      getRun: (runId) => history.find((run) => run.id === runId),
    },
    definitionOf: (run) => run.definition,
    dueTimes: scheduleDueTimes,
    maxSleepMs: 3_600_000,
  };
}

function watched(fields: Parameters<typeof buildDag>[0] = {}): DagDefinition {
  return buildDag({ id: "watched", schedule: EVERY_MINUTE, expectedWithin: "15s", ...fields });
}

const registered = (dag: DagDefinition) => [{ definition: dag, commit: "c0ffee", snapshot: "/snap" }];

/** A state that scheduled and checked `dag` through T0. */
function checkedState(dag: DagDefinition, fields: { paused?: boolean } = {}): ActiveState {
  const state = emptyActiveState();
  state.dags[dag.id] = {
    paused: fields.paused ?? false,
    lastScheduledAt: T0,
    skipped: [],
    missedAlertedThrough: T0,
  };
  return state;
}

const runOfTick = (state: ActiveState, dag: DagDefinition, iso: string) =>
  state.runs[scheduledRunId(dag.id, at(iso))];

/** Ticks at each time given, returning the missed alerts of each (as [date, kind, count, reason]). */
function tickAt(state: ActiveState, dag: DagDefinition, times: string[], history: Run[] = []) {
  return times.map((time) =>
    planTick(state, registered(dag), at(time), context(history)).missed.map((m) => [
      m.logicalDate,
      m.kind,
      m.count,
      m.reason,
    ]),
  );
}

describe("findMissedSchedules (through planTick)", () => {
  it("a paused DAG's tick is alerted once, when its allowance ends", () => {
    const dag = watched();
    const state = checkedState(dag, { paused: true });
    expect(
      tickAt(state, dag, [
        "2026-05-01T10:01:14.999Z",
        "2026-05-01T10:01:15.000Z",
        "2026-05-01T10:01:40.000Z",
      ]),
    ).toEqual([
      [],
      [
        [
          "2026-05-01T10:01:00.000Z",
          "start",
          1,
          "no run started within 15s of 2026-05-01T10:01:00.000Z (DAG paused)",
        ],
      ],
      [],
    ]);
    expect(state.dags.watched?.missedSchedule).toEqual({
      logicalDate: "2026-05-01T10:01:00.000Z",
      kind: "start",
      reason: "no run started within 15s of 2026-05-01T10:01:00.000Z (DAG paused)",
      at: "2026-05-01T10:01:15.000Z",
    });
  });

  it("a daemon down for 3 ticks (catch-up off) gives one alert naming the count and the newest date", () => {
    const dag = watched();
    const state = checkedState(dag);
    const [missed] = tickAt(state, dag, ["2026-05-01T10:03:30.000Z"]);
    // 10:01 and 10:02 got no run; 10:03's run was created and started now, late.
    expect(missed).toEqual([
      [
        "2026-05-01T10:03:00.000Z",
        "start",
        3,
        "no run started within 15s of 2026-05-01T10:03:00.000Z (started late, at 2026-05-01T10:03:30.000Z)",
      ],
    ]);
    expect(state.dags.watched?.missedAlertedThrough).toBe("2026-05-01T10:03:00.000Z");
  });

  it("names each of the dates an alert covers, oldest first, each with its own reason", () => {
    const dag = watched();
    const state = checkedState(dag);
    const [alert] = planTick(state, registered(dag), at("2026-05-01T10:03:30.000Z"), context([])).missed;
    const skipped = "skipped: catchup is off: ran only the latest due interval, skipped older missed ones";
    expect(alert?.dates).toEqual([
      {
        logicalDate: "2026-05-01T10:01:00.000Z",
        kind: "start",
        summary: "no run started within 15s (no run created: catch-up is off)",
        reason: "no run started within 15s of 2026-05-01T10:01:00.000Z (no run created: catch-up is off)",
      },
      {
        logicalDate: "2026-05-01T10:02:00.000Z",
        kind: "start",
        summary: `no run started within 15s (${skipped})`,
        reason: `no run started within 15s of 2026-05-01T10:02:00.000Z (${skipped})`,
      },
      {
        logicalDate: "2026-05-01T10:03:00.000Z",
        kind: "start",
        summary: "no run started within 15s (started late, at 2026-05-01T10:03:30.000Z)",
        reason:
          "no run started within 15s of 2026-05-01T10:03:00.000Z (started late, at 2026-05-01T10:03:30.000Z)",
      },
    ]);
    expect(alert?.count).toBe(3);
  });

  it("with catch-up off, a tick without a run says so", () => {
    const dag = watched();
    const state = checkedState(dag);
    // The daemon was down from 10:00 until 10:02:05: the 10:01 tick got no run.
    const [missed] = tickAt(state, dag, ["2026-05-01T10:02:05.000Z"]);
    expect(missed).toEqual([
      [
        "2026-05-01T10:01:00.000Z",
        "start",
        1,
        "no run started within 15s of 2026-05-01T10:01:00.000Z (skipped: catchup is off: ran only the latest due interval, skipped older missed ones)",
      ],
    ]);
  });

  it("a run queued behind maxActiveRuns is alerted", () => {
    const dag = watched({ maxActiveRuns: 1, catchup: false });
    const state = checkedState(dag);
    tickAt(state, dag, ["2026-05-01T10:01:00.000Z"]);
    expect(runOfTick(state, dag, "2026-05-01T10:01:00.000Z")?.state).toBe("running");
    expect(tickAt(state, dag, ["2026-05-01T10:02:00.000Z", "2026-05-01T10:02:15.000Z"])).toEqual([
      [],
      [
        [
          "2026-05-01T10:02:00.000Z",
          "start",
          1,
          "no run started within 15s of 2026-05-01T10:02:00.000Z (queued behind maxActiveRuns (1))",
        ],
      ],
    ]);
  });

  it("finishWithin alerts a slow run once; a run that started in time and finished in time is not alerted", () => {
    const dag = watched({ finishWithin: "30s" });
    const state = checkedState(dag);
    expect(tickAt(state, dag, ["2026-05-01T10:01:00.000Z", "2026-05-01T10:01:15.000Z"])).toEqual([[], []]);
    expect(tickAt(state, dag, ["2026-05-01T10:01:30.000Z", "2026-05-01T10:01:45.000Z"])).toEqual([
      [
        [
          "2026-05-01T10:01:00.000Z",
          "finish",
          1,
          "run not finished within 30s of 2026-05-01T10:01:00.000Z (still running, started 2026-05-01T10:01:00.000Z)",
        ],
      ],
      [],
    ]);
    // The 10:02 run finishes in time: nothing to say, and the check moves past it.
    tickAt(state, dag, ["2026-05-01T10:02:00.000Z"]);
    const run = runOfTick(state, dag, "2026-05-01T10:02:00.000Z");
    if (!run) throw new Error("no 10:02 run");
    finishTry(
      task(run, "only"),
      dag.tasks[0]!,
      { ok: true, exitCode: 0, reason: null },
      at("2026-05-01T10:02:10.000Z"),
    );
    expect(tickAt(state, dag, ["2026-05-01T10:02:10.000Z", "2026-05-01T10:02:30.000Z"])).toEqual([[], []]);
    expect(state.dags.watched?.missedAlertedThrough).toBe("2026-05-01T10:02:00.000Z");
  });

  it("no alert when the run started within expectedWithin", () => {
    const dag = watched();
    const state = checkedState(dag);
    const times = ["2026-05-01T10:01:00.000Z", "2026-05-01T10:01:15.000Z", "2026-05-01T10:01:30.000Z"];
    expect(tickAt(state, dag, times)).toEqual([[], [], []]);
    expect(state.dags.watched?.missedAlertedThrough).toBe("2026-05-01T10:01:00.000Z");
    expect(state.dags.watched?.missedSchedule).toBeUndefined();
  });

  it("never alerts a date twice across a restart with the stored state", () => {
    const dag = watched();
    const state = checkedState(dag, { paused: true });
    expect(tickAt(state, dag, ["2026-05-01T10:01:20.000Z"])[0]).toHaveLength(1);
    const restored = reviveActiveState(JSON.parse(JSON.stringify(state)) as ActiveState);
    expect(tickAt(restored, dag, ["2026-05-01T10:01:30.000Z", "2026-05-01T10:01:59.000Z"])).toEqual([[], []]);
    expect(tickAt(restored, dag, ["2026-05-01T10:02:15.000Z"])[0]).toEqual([
      ["2026-05-01T10:02:00.000Z", "start", 1, expect.stringContaining("(DAG paused)")],
    ]);
  });

  it("does not alert ticks from before the daemon first saw the DAG (catch-up runs of the past)", () => {
    const dag = watched({ catchup: true, pausedOnCreation: false, startDate: "2026-05-01T09:00:00Z" });
    const state = emptyActiveState();
    const now = "2026-05-01T10:00:30.000Z";
    const [missed] = tickAt(state, dag, [now]);
    expect(missed).toEqual([]);
    expect(Object.keys(state.runs)).toHaveLength(50);
    expect(state.dags.watched?.missedAlertedThrough).toBe(now);
    expect(tickAt(state, dag, ["2026-05-01T10:00:59.000Z"])).toEqual([[]]);
  });

  it("checks turned off and on again start from then: the dates in between are not alerted", () => {
    const dag = watched();
    const state = checkedState(dag, { paused: true });
    expect(tickAt(state, dag, ["2026-05-01T10:01:15.000Z"])[0]).toHaveLength(1);
    const unwatched = buildDag({ id: "watched", schedule: EVERY_MINUTE });
    expect(tickAt(state, unwatched, ["2026-05-01T10:30:00.000Z"])).toEqual([[]]);
    expect(state.dags.watched?.missedSchedule).toBeUndefined();
    expect(tickAt(state, dag, ["2026-05-01T11:00:00.000Z", "2026-05-01T11:00:59.000Z"])).toEqual([[], []]);
    expect(tickAt(state, dag, ["2026-05-01T11:01:15.000Z"])[0]).toEqual([
      ["2026-05-01T11:01:00.000Z", "start", 1, expect.stringContaining("(DAG paused)")],
    ]);
  });

  it("a schedule changed while the daemon runs does not alert the new schedule's ticks from before the change", () => {
    const hourly = watched({ schedule: "0 * * * *" });
    const state = checkedState(hourly);
    expect(tickAt(state, hourly, ["2026-05-01T10:20:00.000Z"])).toEqual([[]]);
    // 10:30: a commit makes it run every minute; its 10:01-10:29 ticks were never due.
    const everyMinute = watched();
    expect(tickAt(state, everyMinute, ["2026-05-01T10:30:05.000Z"])).toEqual([[]]);
    expect(state.dags.watched?.missedSchedule).toBeUndefined();
    // From then on it is watched as before: a paused tick after the change is alerted.
    state.dags.watched!.paused = true;
    expect(tickAt(state, everyMinute, ["2026-05-01T10:31:15.000Z"])[0]).toEqual([
      ["2026-05-01T10:31:00.000Z", "start", 1, expect.stringContaining("(DAG paused)")],
    ]);
  });

  it("a run queued because its tries wait for a pool says so, not maxActiveRuns", () => {
    const dag = watched({ tasks: [{ kind: "pod", id: "load", image: "busybox", pool: "warehouse" }] });
    const state = checkedState(dag);
    const pooled = (time: string) =>
      planTick(state, registered(dag), at(time), {
        ...context(),
        pools: new Map([["warehouse", 1]]),
      }).missed.map((m) => m.reason);
    expect(pooled("2026-05-01T10:01:00.500Z")).toEqual([]);
    expect(runOfTick(state, dag, "2026-05-01T10:01:00.000Z")?.state).toBe("running");
    expect(pooled("2026-05-01T10:02:00.500Z")).toEqual([]);
    expect(runOfTick(state, dag, "2026-05-01T10:02:00.000Z")?.state).toBe("queued");
    expect(pooled("2026-05-01T10:02:15.000Z")).toEqual([
      "no run started within 15s of 2026-05-01T10:02:00.000Z (waiting for pool warehouse (1/1 used))",
    ]);
  });

  it("a DAG without expectedWithin or finishWithin is never checked", () => {
    const dag = buildDag({ id: "plain", schedule: EVERY_MINUTE, pausedOnCreation: true });
    const state = emptyActiveState();
    expect(tickAt(state, dag, [T0, "2026-05-01T11:00:00.000Z"])).toEqual([[], []]);
    expect(state.dags.plain?.missedAlertedThrough).toBeUndefined();
  });
});

describe("nextMissedScheduleCheck", () => {
  it.each([
    {
      name: "the next tick's allowance",
      fields: {},
      now: "2026-05-01T10:00:30.000Z",
      next: "2026-05-01T10:01:15.000Z",
    },
    {
      name: "a past tick's allowance not ended yet",
      fields: {},
      now: "2026-05-01T10:01:05.000Z",
      next: "2026-05-01T10:01:15.000Z",
    },
    {
      name: "the sooner of expectedWithin and finishWithin",
      fields: { finishWithin: "30s" },
      now: "2026-05-01T10:01:20.000Z",
      next: "2026-05-01T10:01:30.000Z",
    },
  ])("$name", ({ fields, now, next }) => {
    const dag = watched(fields);
    expect(nextMissedScheduleCheck(checkedState(dag), registered(dag), at(now))).toBe(at(next).getTime());
  });

  it("is undefined for DAGs that ask for no check", () => {
    const dag = buildDag({ id: "plain", schedule: EVERY_MINUTE });
    expect(nextMissedScheduleCheck(checkedState(dag), registered(dag), at(T0))).toBeUndefined();
  });

  it("wakes the loop: planTick's wakeAt is at most the next check", () => {
    const dag = watched({ schedule: "0 * * * *", expectedWithin: "15m" });
    const state = checkedState(dag);
    const plan = planTick(state, registered(dag), at("2026-05-01T11:00:00.000Z"), context());
    expect(plan.wakeAt).toBe(at("2026-05-01T11:15:00.000Z").getTime());
  });
});
