import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { Run, RunState } from "../../src/runs/run-model.ts";
import {
  DEFAULT_CATCHUP_BOUND,
  initialDagState,
  manualRunId,
  planScheduledRuns,
  type ScheduledPlan,
  scheduledRunId,
} from "../../src/scheduler/run-planner.ts";
import { tryLogFile } from "../../src/runs/try-files.ts";
import type { DagState } from "../../src/runs/active-state.ts";
import { at, buildDag, runOf } from "./fixtures.ts";

function hourly(fields: Parameters<typeof buildDag>[0] = {}): DagDefinition {
  return buildDag({ id: "etl", schedule: "@hourly", startDate: "2026-05-01T00:00:00Z", ...fields });
}

function stateAt(lastScheduledAt: string | null, paused = false): DagState {
  return { paused, lastScheduledAt, skipped: [] };
}

function activeRun(dag: DagDefinition, id: string, state: RunState = "running"): Run {
  const run = runOf(dag, "2026-05-01T09:00:00.000Z", id);
  run.state = state;
  return run;
}

/** A plan with dates as ISO strings, for exact comparison. */
function readable(plan: ScheduledPlan) {
  return {
    create: plan.create.map(({ logicalDate, trigger }) => ({ at: logicalDate.toISOString(), trigger })),
    skip: plan.skip.map(({ logicalDate, reason }) => ({ at: logicalDate.toISOString(), reason })),
    replace: plan.replace,
    lastScheduledAt: plan.lastScheduledAt?.toISOString() ?? null,
  };
}

describe("planScheduledRuns with catchup", () => {
  it("creates every missed run since lastScheduledAt, oldest first, the newest as the scheduled one", () => {
    const plan = planScheduledRuns(
      hourly({ catchup: true }),
      stateAt("2026-05-01T10:00:00.000Z"),
      [],
      at("2026-05-01T13:30:00Z"),
    );
    expect(readable(plan)).toEqual({
      create: [
        { at: "2026-05-01T11:00:00.000Z", trigger: "catchup" },
        { at: "2026-05-01T12:00:00.000Z", trigger: "catchup" },
        { at: "2026-05-01T13:00:00.000Z", trigger: "scheduled" },
      ],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-01T13:00:00.000Z",
    });
  });

  it("starts from startDate (inclusive) when nothing was scheduled yet", () => {
    const dag = hourly({ catchup: true, startDate: "2026-05-01T10:00:00Z" });
    const plan = planScheduledRuns(dag, stateAt(null), [], at("2026-05-01T12:10:00Z"));
    expect(readable(plan).create).toEqual([
      { at: "2026-05-01T10:00:00.000Z", trigger: "catchup" },
      { at: "2026-05-01T11:00:00.000Z", trigger: "catchup" },
      { at: "2026-05-01T12:00:00.000Z", trigger: "scheduled" },
    ]);
    expect(plan.lastScheduledAt?.toISOString()).toBe("2026-05-01T12:00:00.000Z");
  });

  it("creates only the newest `bound` runs beyond the bound and records the skip naming it", () => {
    const plan = planScheduledRuns(
      hourly({ catchup: true }),
      stateAt("2026-05-01T00:00:00.000Z"),
      [],
      at("2026-05-01T10:05:00Z"),
      3,
    );
    expect(readable(plan)).toEqual({
      create: [
        { at: "2026-05-01T08:00:00.000Z", trigger: "catchup" },
        { at: "2026-05-01T09:00:00.000Z", trigger: "catchup" },
        { at: "2026-05-01T10:00:00.000Z", trigger: "scheduled" },
      ],
      skip: [
        {
          at: "2026-05-01T07:00:00.000Z",
          reason:
            "more than 3 missed intervals: ran the newest 3, skipped older ones (before 2026-05-01T08:00:00.000Z)",
        },
      ],
      replace: [],
      lastScheduledAt: "2026-05-01T10:00:00.000Z",
    });
  });

  it("records no skip when exactly `bound` intervals were missed", () => {
    const plan = planScheduledRuns(
      hourly({ catchup: true }),
      stateAt("2026-05-01T07:00:00.000Z"),
      [],
      at("2026-05-01T10:05:00Z"),
      3,
    );
    expect(readable(plan).create.map((entry) => entry.at)).toEqual([
      "2026-05-01T08:00:00.000Z",
      "2026-05-01T09:00:00.000Z",
      "2026-05-01T10:00:00.000Z",
    ]);
    expect(plan.skip).toEqual([]);
  });

  it("bounds catch-up by DEFAULT_CATCHUP_BOUND (50) unless told otherwise", () => {
    expect(DEFAULT_CATCHUP_BOUND).toBe(50);
    const plan = planScheduledRuns(
      hourly({ catchup: true }),
      stateAt("2026-05-01T00:00:00.000Z"),
      [],
      at("2026-05-08T00:00:00Z"),
    );
    expect(plan.create).toHaveLength(50);
    expect(plan.create[0]?.logicalDate.toISOString()).toBe("2026-05-05T23:00:00.000Z");
    expect(plan.create.at(-1)?.logicalDate.toISOString()).toBe("2026-05-08T00:00:00.000Z");
    expect(plan.skip.map((skip) => skip.reason)).toEqual([
      "more than 50 missed intervals: ran the newest 50, skipped older ones (before 2026-05-05T23:00:00.000Z)",
    ]);
  });

  it("creates nothing before the next tick", () => {
    const plan = planScheduledRuns(
      hourly({ catchup: true }),
      stateAt("2026-05-01T10:00:00.000Z"),
      [],
      at("2026-05-01T10:59:59.999Z"),
    );
    expect(readable(plan)).toEqual({
      create: [],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-01T10:00:00.000Z",
    });
  });
});

describe("planScheduledRuns without catchup", () => {
  it("runs only the latest due interval after downtime and notes the skip", () => {
    const plan = planScheduledRuns(
      hourly({ catchup: false }),
      stateAt("2026-05-01T00:00:00.000Z"),
      [],
      at("2026-05-01T05:30:00Z"),
    );
    expect(readable(plan)).toEqual({
      create: [{ at: "2026-05-01T05:00:00.000Z", trigger: "scheduled" }],
      skip: [
        {
          at: "2026-05-01T04:00:00.000Z",
          reason: "catchup is off: ran only the latest due interval, skipped older missed ones",
        },
      ],
      replace: [],
      lastScheduledAt: "2026-05-01T05:00:00.000Z",
    });
  });

  it("runs the one due interval with no skip when nothing was missed", () => {
    const plan = planScheduledRuns(
      hourly(),
      stateAt("2026-05-01T04:00:00.000Z"),
      [],
      at("2026-05-01T05:00:00Z"),
    );
    expect(readable(plan)).toEqual({
      create: [{ at: "2026-05-01T05:00:00.000Z", trigger: "scheduled" }],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-01T05:00:00.000Z",
    });
  });
});

describe("planScheduledRuns when nothing may run", () => {
  it("creates nothing and keeps lastScheduledAt when the clock goes backwards", () => {
    const dag = hourly({ catchup: true });
    const state = stateAt("2026-05-01T12:00:00.000Z");
    expect(readable(planScheduledRuns(dag, state, [], at("2026-05-01T09:30:00Z")))).toEqual({
      create: [],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-01T12:00:00.000Z",
    });
    // Back to where it was: still nothing until the clock passes the next tick after 12:00.
    expect(planScheduledRuns(dag, state, [], at("2026-05-01T12:30:00Z")).create).toEqual([]);
    expect(readable(planScheduledRuns(dag, state, [], at("2026-05-01T13:00:00Z"))).create).toEqual([
      { at: "2026-05-01T13:00:00.000Z", trigger: "scheduled" },
    ]);
  });

  it("creates nothing for a paused DAG", () => {
    const plan = planScheduledRuns(
      hourly({ catchup: true }),
      stateAt("2026-05-01T00:00:00.000Z", true),
      [],
      at("2026-05-01T05:30:00Z"),
    );
    expect(readable(plan)).toEqual({
      create: [],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-01T00:00:00.000Z",
    });
  });

  it("creates nothing for a manual-only DAG", () => {
    const dag = buildDag({ id: "manual", schedule: null, catchup: true, startDate: "2026-05-01" });
    const plan = planScheduledRuns(dag, stateAt(null), [], at("2026-05-02T00:00:00Z"));
    expect(readable(plan)).toEqual({ create: [], skip: [], replace: [], lastScheduledAt: null });
  });
});

describe("planScheduledRuns and concurrencyPolicy", () => {
  const last = stateAt("2026-05-01T09:00:00.000Z");
  const now = at("2026-05-01T10:00:00Z");

  it("allow: queues a new run next to an active one", () => {
    const dag = hourly({ concurrencyPolicy: "allow" });
    const plan = planScheduledRuns(dag, last, [activeRun(dag, "etl-run-a")], now);
    expect(readable(plan)).toEqual({
      create: [{ at: "2026-05-01T10:00:00.000Z", trigger: "scheduled" }],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-01T10:00:00.000Z",
    });
  });

  it("forbid: skips while a run is active, naming it, and still moves lastScheduledAt on", () => {
    const dag = hourly({ concurrencyPolicy: "forbid" });
    const plan = planScheduledRuns(dag, last, [activeRun(dag, "etl-run-a", "queued")], now);
    expect(readable(plan)).toEqual({
      create: [],
      skip: [
        { at: "2026-05-01T10:00:00.000Z", reason: "concurrencyPolicy forbid: run etl-run-a is still active" },
      ],
      replace: [],
      lastScheduledAt: "2026-05-01T10:00:00.000Z",
    });
  });

  it("forbid: finished runs and other DAGs' runs do not count as active", () => {
    const dag = hourly({ concurrencyPolicy: "forbid" });
    const other = buildDag({ id: "other", schedule: "@hourly" });
    const runs = [
      activeRun(dag, "etl-done", "success"),
      activeRun(dag, "etl-failed", "failed"),
      activeRun(other, "other-running"),
    ];
    expect(readable(planScheduledRuns(dag, last, runs, now)).create).toEqual([
      { at: "2026-05-01T10:00:00.000Z", trigger: "scheduled" },
    ]);
  });

  it("forbid: skips every catch-up interval while a run is active", () => {
    const dag = hourly({ concurrencyPolicy: "forbid", catchup: true });
    const plan = planScheduledRuns(
      dag,
      stateAt("2026-05-01T07:00:00.000Z"),
      [activeRun(dag, "etl-run-a")],
      now,
    );
    expect(plan.create).toEqual([]);
    expect(readable(plan).skip).toEqual([
      { at: "2026-05-01T08:00:00.000Z", reason: "concurrencyPolicy forbid: run etl-run-a is still active" },
      { at: "2026-05-01T09:00:00.000Z", reason: "concurrencyPolicy forbid: run etl-run-a is still active" },
      { at: "2026-05-01T10:00:00.000Z", reason: "concurrencyPolicy forbid: run etl-run-a is still active" },
    ]);
  });

  it("replace: lists the active runs to cancel and creates only the newest run", () => {
    const dag = hourly({ concurrencyPolicy: "replace", catchup: true });
    const other = buildDag({ id: "other", schedule: "@hourly" });
    const runs = [
      activeRun(dag, "etl-run-a"),
      activeRun(dag, "etl-run-b", "queued"),
      activeRun(dag, "etl-done", "success"),
      activeRun(other, "other-running"),
    ];
    const plan = planScheduledRuns(dag, stateAt("2026-05-01T07:00:00.000Z"), runs, now);
    expect(readable(plan)).toEqual({
      create: [{ at: "2026-05-01T10:00:00.000Z", trigger: "scheduled" }],
      skip: [],
      replace: ["etl-run-a", "etl-run-b"],
      lastScheduledAt: "2026-05-01T10:00:00.000Z",
    });
  });

  it("replace: cancels nothing when no run is due", () => {
    const dag = hourly({ concurrencyPolicy: "replace" });
    const plan = planScheduledRuns(dag, last, [activeRun(dag, "etl-run-a")], at("2026-05-01T09:59:00Z"));
    expect(plan.replace).toEqual([]);
    expect(plan.create).toEqual([]);
  });
});

describe("initialDagState", () => {
  it("without catchup, starts from now so the first run is the next tick, not a past one", () => {
    const dag = hourly({ catchup: false });
    const now = at("2026-05-03T10:20:00Z");
    const state = initialDagState(dag, now);
    expect(state).toEqual({ paused: false, lastScheduledAt: "2026-05-03T10:20:00.000Z", skipped: [] });
    expect(planScheduledRuns(dag, state, [], now).create).toEqual([]);
    expect(planScheduledRuns(dag, state, [], at("2026-05-03T10:59:00Z")).create).toEqual([]);
    expect(readable(planScheduledRuns(dag, state, [], at("2026-05-03T11:00:00Z")))).toEqual({
      create: [{ at: "2026-05-03T11:00:00.000Z", trigger: "scheduled" }],
      skip: [],
      replace: [],
      lastScheduledAt: "2026-05-03T11:00:00.000Z",
    });
  });

  it("with catchup, starts from nothing so catch-up begins at startDate", () => {
    const dag = hourly({ catchup: true, startDate: "2026-05-03T08:00:00Z" });
    const now = at("2026-05-03T10:20:00Z");
    const state = initialDagState(dag, now);
    expect(state).toEqual({ paused: false, lastScheduledAt: null, skipped: [] });
    expect(readable(planScheduledRuns(dag, state, [], now)).create.map((entry) => entry.at)).toEqual([
      "2026-05-03T08:00:00.000Z",
      "2026-05-03T09:00:00.000Z",
      "2026-05-03T10:00:00.000Z",
    ]);
  });

  it("starts paused when pausedOnCreation is set", () => {
    expect(initialDagState(hourly({ pausedOnCreation: true }), at("2026-05-03T10:20:00Z")).paused).toBe(true);
  });
});

describe("scheduledRunId", () => {
  it("is the DAG id and the compact logical date, the same every time", () => {
    expect(scheduledRunId("etl", at("2026-05-01T10:00:00.000Z"))).toBe("etl__scheduled__20260501T100000Z");
    expect(scheduledRunId("etl", at("2026-05-01T10:00:00Z"))).toBe(
      scheduledRunId("etl", at("2026-05-01T10:00:00.000Z")),
    );
  });

  it("differs between intervals and between DAGs", () => {
    expect(scheduledRunId("etl", at("2026-05-01T10:00:30Z"))).toBe("etl__scheduled__20260501T100030Z");
    expect(scheduledRunId("report", at("2026-05-01T10:00:00Z"))).toBe("report__scheduled__20260501T100000Z");
  });
});

describe("run ids stay in the id alphabet", () => {
  it.each(["a", "...", "a.b", "-", "__proto__", "x".repeat(250)])(
    "for DAG %j they are plain folder names that an id path parameter accepts",
    (dagId) => {
      const at = new Date("2026-05-01T10:00:30.123Z");
      for (const runId of [scheduledRunId(dagId, at), manualRunId(dagId, at, "a1b2c3")]) {
        expect(runId).toMatch(/^[A-Za-z0-9_.-]{1,320}$/);
        expect(runId).not.toMatch(/^\.{1,2}$/);
        expect(tryLogFile("/logs", { dagId, runId, taskId: "t", try: 1 })).toBe(
          `/logs/${dagId}/${runId}/t/try-1.log`,
        );
      }
    },
  );
});
