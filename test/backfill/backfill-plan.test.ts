import { describe, expect, it } from "vitest";
import type { Backfill } from "../../src/runs/backfill-model.ts";
import { createBackfillRuns, nextBackfillWake } from "../../src/scheduler/backfill-plan.ts";
import { FINISHED_BACKFILLS_KEPT, settleFinishedRuns } from "../../src/scheduler/backfill-progress.ts";
import { countRangeTicks, nextBackfillDates, rangeTime } from "../../src/scheduler/backfill-range.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { ActiveState } from "../../src/runs/active-state.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { scheduleDueTimes } from "../../src/scheduler/due-times.ts";
import type { TickContext } from "../../src/scheduler/plan-tick.ts";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { emptyActiveState, reviveActiveState } from "../../src/store/run-store.ts";
import { at, buildDag, pod, runOf } from "../scheduler/fixtures.ts";

const NOW = at("2026-12-05T12:00:00.000Z");
const daily = buildDag({
  id: "daily",
  schedule: "0 6 * * *",
  tasks: [pod("extract"), pod("load", { dependsOn: ["extract"] })],
});

/** The tick's context over plain data: active runs in `state.runs`, finished ones in `history`. */
function context(history: Run[]): TickContext {
  return {
    book: {
      addRun: (state, run) => void (state.runs[run.id] = run),
      recordSkip: () => undefined,
      getRun: (runId) => history.find((run) => run.id === runId),
    },
    definitionOf: (run) => run.definition,
    dueTimes: scheduleDueTimes,
    maxSleepMs: 5000,
  };
}

function registered(definition: DagDefinition) {
  return [{ definition, commit: "c0ffee", snapshot: "/snapshots/c0ffee" }];
}

function backfillOf(dag: DagDefinition, fields: Partial<Backfill> & Pick<Backfill, "from" | "to">): Backfill {
  const from = rangeTime(fields.from, dag.timezone);
  const to = rangeTime(fields.to, dag.timezone, "to");
  if (!from || !to) throw new Error("bad range in a fixture");
  return {
    id: "bf-1",
    dagId: dag.id,
    rerun: "missing",
    reverse: false,
    maxActiveRuns: 3,
    conf: { source: "backfill" },
    state: "running",
    createdAt: NOW.toISOString(),
    endedAt: null,
    cursor: null,
    planned: nextBackfillDates(
      dag,
      { from: from.toISOString(), to: to.toISOString(), cursor: null, reverse: false },
      1000,
    ).length,
    active: [],
    created: 0,
    kept: 0,
    succeeded: 0,
    failed: 0,
    ...fields,
    from: from.toISOString(),
    to: to.toISOString(),
  };
}

function stateWith(backfill: Backfill): ActiveState {
  const state = emptyActiveState();
  state.backfills[backfill.id] = backfill;
  return state;
}

/** Ends the state's active runs of the backfill as `outcome` and archives them, as a step would. */
function finishActive(state: ActiveState, history: Run[], outcome: "success" | "failed" = "success"): void {
  const finished = Object.values(state.runs);
  for (const run of finished) {
    run.state = outcome;
    for (const task of run.tasks) {
      task.try += 1;
      task.state = outcome;
    }
  }
  settleFinishedRuns(state, finished, NOW);
  for (const run of finished) {
    delete state.runs[run.id];
    history.push(run);
  }
}

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("backfill dates: the schedule's ticks in the range, in the DAG's time zone", () => {
  it.each([
    {
      what: "a daily schedule in UTC, both ends inclusive",
      dag: daily,
      from: "2026-11-01",
      to: "2026-11-03",
      dates: ["2026-11-01T06:00:00.000Z", "2026-11-02T06:00:00.000Z", "2026-11-03T06:00:00.000Z"],
    },
    {
      what: "02:30 Berlin does not exist on 2026-03-29 (clocks skip it), as for catch-up",
      dag: buildDag({ id: "berlin", schedule: "30 2 * * *", timezone: "Europe/Berlin" }),
      from: "2026-03-28",
      to: "2026-03-30",
      dates: ["2026-03-28T01:30:00.000Z", "2026-03-30T00:30:00.000Z"],
    },
    {
      what: "02:00 Berlin happens once on 2026-10-25 (clocks repeat it), from and to read in Berlin",
      dag: buildDag({ id: "berlin", schedule: "0 * * * *", timezone: "Europe/Berlin" }),
      from: "2026-10-25T01:00",
      to: "2026-10-25T04:00",
      dates: [
        "2026-10-24T23:00:00.000Z",
        "2026-10-25T00:00:00.000Z",
        "2026-10-25T02:00:00.000Z",
        "2026-10-25T03:00:00.000Z",
      ],
    },
    {
      what: "an explicit offset beats the zone",
      dag: buildDag({ id: "berlin", schedule: "0 6 * * *", timezone: "Europe/Berlin" }),
      from: "2026-11-01T05:00:00Z",
      to: "2026-11-01T05:00:00Z",
      dates: ["2026-11-01T05:00:00.000Z"],
    },
  ])("$what", ({ dag, from, to, dates }) => {
    const backfill = backfillOf(dag, { from, to });
    expect(iso(nextBackfillDates(dag, backfill, 100))).toEqual(dates);
    expect(backfill.planned).toBe(dates.length);
    expect(iso(nextBackfillDates(dag, { ...backfill, reverse: true }, 100))).toEqual([...dates].reverse());
  });

  it("reads only ISO dates and date-times", () => {
    for (const bad of ["2026", "11/01/2026", "2026-11-01 06:00", "2026-13-01", "yesterday"])
      expect(rangeTime(bad, "UTC"), bad).toBeUndefined();
    expect(rangeTime("2026-11-01", "Europe/Berlin")?.toISOString()).toBe("2026-10-31T23:00:00.000Z");
    expect(rangeTime("2026-11-01", "Europe/Berlin", "to")?.toISOString()).toBe("2026-11-01T22:59:59.999Z");
  });

  it("counts more than catch-up's 50 (a year of hourly ticks), up to one past the bound", async () => {
    const hourly = buildDag({ id: "hourly", schedule: "@hourly" });
    expect(await countRangeTicks(hourly, at("2025-01-01T00:00:00Z"), at("2025-12-31T23:59:59.999Z"))).toBe(
      8760,
    );
    expect(
      await countRangeTicks(hourly, at("2025-01-01T00:00:00Z"), at("2025-12-31T23:59:59.999Z"), 1000),
    ).toBe(1500);
  });
});

describe("createBackfillRuns", () => {
  it("creates at most maxActiveRuns runs, with scheduled-run ids, and moves the cursor with them", () => {
    const history: Run[] = [];
    const state = stateWith(backfillOf(daily, { from: "2026-11-01", to: "2026-11-10" }));
    const first = createBackfillRuns(state, registered(daily), NOW, context(history));
    expect(first.map((run) => run.id)).toEqual(
      ["2026-11-01", "2026-11-02", "2026-11-03"].map((day) =>
        scheduledRunId("daily", at(`${day}T06:00:00Z`)),
      ),
    );
    expect(first.every((run) => run.trigger === "backfill" && run.backfillId === "bf-1")).toBe(true);
    expect(first[0]?.conf).toEqual({ source: "backfill" });
    const backfill = state.backfills["bf-1"];
    expect(backfill).toMatchObject({ cursor: "2026-11-03T06:00:00.000Z", created: 3, planned: 10 });
    expect(nextBackfillWake(state, registered(daily), NOW)).toBeUndefined();
    expect(createBackfillRuns(state, registered(daily), NOW, context(history))).toEqual([]);
    finishActive(state, history);
    expect(backfill).toMatchObject({ succeeded: 3, active: [] });
    expect(nextBackfillWake(state, registered(daily), NOW)).toBe(NOW.getTime());
    const second = createBackfillRuns(state, registered(daily), NOW, context(history));
    expect(second.map((run) => run.logicalDate.slice(0, 10))).toEqual([
      "2026-11-04",
      "2026-11-05",
      "2026-11-06",
    ]);
  });

  it("walks newest first with reverse", () => {
    const state = stateWith(
      backfillOf(daily, { from: "2026-11-01", to: "2026-11-10", reverse: true, maxActiveRuns: 2 }),
    );
    const runs = createBackfillRuns(state, registered(daily), NOW, context([]));
    expect(runs.map((run) => run.logicalDate.slice(0, 10))).toEqual(["2026-11-10", "2026-11-09"]);
  });

  it("continues after its cursor when the state is read back (a restart): every date once, then success", () => {
    const history: Run[] = [];
    let state = stateWith(backfillOf(daily, { from: "2026-11-01", to: "2026-11-30", maxActiveRuns: 4 }));
    const dates: string[] = [];
    for (let tick = 0; tick < 20 && state.backfills["bf-1"]?.state === "running"; tick++) {
      dates.push(
        ...createBackfillRuns(state, registered(daily), NOW, context(history)).map((r) => r.logicalDate),
      );
      // Every other tick the daemon dies after the write: only what JSON kept survives.
      if (tick % 2 === 0) state = reviveActiveState(JSON.parse(JSON.stringify(state)) as ActiveState);
      finishActive(state, history);
    }
    expect(dates).toHaveLength(30);
    expect(new Set(dates).size).toBe(30);
    expect(state.backfills["bf-1"]).toMatchObject({
      state: "success",
      created: 30,
      succeeded: 30,
      failed: 0,
    });
  });

  it("ends failed when a run failed", () => {
    const history: Run[] = [];
    const state = stateWith(backfillOf(daily, { from: "2026-11-01", to: "2026-11-02" }));
    createBackfillRuns(state, registered(daily), NOW, context(history));
    finishActive(state, history, "failed");
    expect(state.backfills["bf-1"]).toMatchObject({ state: "failed", failed: 2, endedAt: NOW.toISOString() });
  });

  describe("dates that already have a run", () => {
    /** Runs for Nov 1 (succeeded), Nov 2 (failed) and Nov 3 (still running). */
    function existing(): Run[] {
      return (
        [
          ["2026-11-01", "success"],
          ["2026-11-02", "failed"],
          ["2026-11-03", "running"],
        ] as const
      ).map(([day, state]) => {
        const date = `${day}T06:00:00.000Z`;
        const run = runOf(daily, date, scheduledRunId("daily", at(date)));
        run.trigger = "scheduled";
        run.state = state;
        for (const task of run.tasks)
          Object.assign(task, { try: 1, state: state === "running" ? "running" : state });
        return run;
      });
    }

    it.each([
      { rerun: "missing", rerunDays: [], kept: 3 },
      { rerun: "failed", rerunDays: ["2026-11-02"], kept: 2 },
      { rerun: "all", rerunDays: ["2026-11-01", "2026-11-02"], kept: 1 },
    ] as const)("rerun $rerun reruns $rerunDays and keeps the rest", ({ rerun, rerunDays, kept }) => {
      const [done, failed, running] = existing();
      if (!done || !failed || !running) throw new Error("fixture");
      const history = [done, failed];
      const state = stateWith(
        backfillOf(daily, { from: "2026-11-01", to: "2026-11-04", rerun, maxActiveRuns: 5 }),
      );
      state.runs[running.id] = running;
      const runs = createBackfillRuns(state, registered(daily), NOW, context(history));
      const days = runs.map((run) => run.logicalDate.slice(0, 10));
      expect(days).toEqual([...rerunDays, "2026-11-04"]);
      expect(state.backfills["bf-1"]).toMatchObject({
        kept,
        created: rerunDays.length + 1,
        cursor: "2026-11-04T06:00:00.000Z",
      });
      expect(state.runs[running.id]).toBe(running);
      for (const run of runs.slice(0, -1)) {
        // Every task again, each with its next try number: try 1 and its log stay as they were.
        expect(run).toMatchObject({
          state: "queued",
          backfillId: "bf-1",
          trigger: "scheduled",
          endedAt: null,
        });
        expect(run.tasks.map((task) => [task.state, task.try, task.maxTries])).toEqual([
          ["scheduled", 1, 2],
          ["scheduled", 1, 2],
        ]);
      }
    });
  });

  it("holds while its DAG is paused, and continues when it is unpaused", () => {
    const state = stateWith(backfillOf(daily, { from: "2026-11-01", to: "2026-11-10" }));
    state.dags.daily = { paused: true, lastScheduledAt: null, skipped: [] };
    expect(createBackfillRuns(state, registered(daily), NOW, context([]))).toEqual([]);
    expect(nextBackfillWake(state, registered(daily), NOW)).toBeUndefined();
    state.dags.daily = { paused: false, lastScheduledAt: null, skipped: [] };
    expect(nextBackfillWake(state, registered(daily), NOW)).toBe(NOW.getTime());
    expect(createBackfillRuns(state, registered(daily), NOW, context([]))).toHaveLength(3);
  });

  it("creates nothing for a cancelled backfill", () => {
    const state = stateWith({
      ...backfillOf(daily, { from: "2026-11-01", to: "2026-11-10" }),
      state: "cancelled",
    });
    expect(createBackfillRuns(state, registered(daily), NOW, context([]))).toEqual([]);
    expect(nextBackfillWake(state, registered(daily), NOW)).toBeUndefined();
  });

  it(`keeps the newest ${FINISHED_BACKFILLS_KEPT} finished backfills`, () => {
    const state = emptyActiveState();
    for (let i = 0; i < 60; i++) {
      const id = `bf-${String(i).padStart(2, "0")}`;
      const endedAt = new Date(NOW.getTime() + i * 1000).toISOString();
      state.backfills[id] = {
        ...backfillOf(daily, { from: "2026-11-01", to: "2026-11-01" }),
        id,
        state: "success",
        endedAt,
      };
    }
    createBackfillRuns(state, registered(daily), NOW, context([]));
    const kept = Object.keys(state.backfills).sort();
    expect(kept).toHaveLength(FINISHED_BACKFILLS_KEPT);
    expect(kept[0]).toBe("bf-10");
  });
});
