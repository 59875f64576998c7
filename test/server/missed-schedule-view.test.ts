import { describe, expect, it } from "vitest";
import type { DagState } from "../../src/runs/active-state.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { missedScheduleView } from "../../src/server/views/missed-schedule-view.ts";

const missedSchedule = {
  logicalDate: "2026-05-01T10:01:00.000Z",
  kind: "start" as const,
  reason: "no run started within 15s of 2026-05-01T10:01:00.000Z (DAG paused)",
  at: "2026-05-01T10:01:15.000Z",
};
const state: DagState = { paused: true, lastScheduledAt: null, skipped: [], missedSchedule };
const run = (logicalDate: string, fields: Partial<Run> = {}) =>
  ({ logicalDate, trigger: "scheduled", startedAt: "2026-05-01T11:00:00.000Z", ...fields }) as Run;

describe("missedScheduleView", () => {
  it.each([
    { name: "no alert yet", state: { ...state, missedSchedule: undefined }, runs: [], shown: false },
    {
      name: "the alert stands while no later run started",
      state,
      runs: [run("2026-05-01T10:00:00.000Z")],
      shown: true,
    },
    {
      name: "a later scheduled run only queued does not clear it",
      state,
      runs: [run("2026-05-01T10:02:00.000Z", { startedAt: null })],
      shown: true,
    },
    {
      name: "a later manual run does not clear it",
      state,
      runs: [run("2026-05-01T10:05:00.000Z", { trigger: "manual" })],
      shown: true,
    },
    {
      name: "a later scheduled run that started clears it",
      state,
      runs: [run("2026-05-01T10:02:00.000Z")],
      shown: false,
    },
  ])("$name", ({ state: given, runs, shown }) => {
    expect(missedScheduleView(given, runs)).toEqual(
      shown
        ? { logicalDate: missedSchedule.logicalDate, kind: "start", reason: missedSchedule.reason }
        : null,
    );
  });
});
