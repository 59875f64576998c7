import { describe, expect, it } from "vitest";
import type { MissedSchedule } from "../../src/runs/missed-schedule.ts";
import { missedScheduleMessage } from "../../src/scheduler/missed-schedule-notifier.ts";

const missed: MissedSchedule = {
  dagId: "etl",
  logicalDate: "2026-12-05T05:00:00.000Z",
  kind: "start",
  reason: "no run started within 15m of 2026-12-05T05:00:00.000Z (DAG paused)",
  summary: "no run started within 15m (DAG paused)",
  count: 1,
  timezone: "Europe/Paris",
  onFailureUrl: "https://hooks.example/etl",
};

describe("missedScheduleMessage", () => {
  it("names the DAG, the date on its wall clock and why, with structured fields", () => {
    expect(missedScheduleMessage(missed)).toEqual({
      text: 'updraft: DAG "etl" missed its 2026-12-05 06:00 Europe/Paris schedule: no run started within 15m (DAG paused)',
      dag: "etl",
      logicalDate: "2026-12-05T05:00:00.000Z",
      kind: "start",
      reason: missed.reason,
      count: 1,
    });
  });

  it("names the count and the newest date when several were missed at once", () => {
    const message = missedScheduleMessage({
      ...missed,
      count: 3,
      timezone: "UTC",
      logicalDate: "2026-12-05T05:00:07.000Z",
    });
    expect(message.text).toBe(
      'updraft: DAG "etl" missed 3 schedules, the newest 2026-12-05 05:00:07 UTC: no run started within 15m (DAG paused)',
    );
    expect(message.count).toBe(3);
  });
});
