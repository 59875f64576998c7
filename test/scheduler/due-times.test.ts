import { describe, expect, it } from "vitest";
import { scheduleDueTimes } from "../../src/scheduler/due-times.ts";
import { buildDag } from "./fixtures.ts";

describe("scheduleDueTimes", () => {
  it("a new catch-up DAG (no run scheduled yet) is due from its startDate, decades after 1970", () => {
    const dag = buildDag({
      id: "hourly",
      schedule: "0 * * * *",
      catchup: true,
      startDate: "2026-05-01T09:00:00Z",
    });
    const state = { paused: false, lastScheduledAt: null, skipped: [] };
    expect(scheduleDueTimes(dag, state).map((ms) => new Date(ms).toISOString())).toEqual([
      "2026-05-01T09:00:00.000Z",
      "2026-05-01T10:00:00.000Z",
    ]);
  });
});
