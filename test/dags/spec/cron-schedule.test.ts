import { describe, expect, test } from "vitest";
import { cronScheduleError } from "../../../src/dags/spec/cron.ts";

const FIELD_RULE =
  "a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)";

describe("cronScheduleError", () => {
  test.each([
    "*/5 * * * *",
    "0 6 * * MON-FRI",
    "30 2 1 * *",
    "0 0 6 * * *",
    "  0 12 * * *  ",
    "@hourly",
    "@daily",
    "@weekly",
    "@monthly",
    "@yearly",
  ])("accepts %j", (schedule) => {
    expect(cronScheduleError(schedule)).toBeUndefined();
  });

  // cron-parser pads short expressions with defaults, so these must be caught before it sees them.
  test.each([
    ["* * *", `has 3 fields; ${FIELD_RULE}`],
    ["0 6", `has 2 fields; ${FIELD_RULE}`],
    ["*", `has 1 field; ${FIELD_RULE}`],
    ["", `has 0 fields; ${FIELD_RULE}`],
    ["* * * * * * *", `has 7 fields; ${FIELD_RULE}`],
  ])("rejects %j by its field count", (schedule, reason) => {
    expect(cronScheduleError(schedule)).toBe(reason);
  });

  test.each([
    ["61 * * * *", "got value 61 expected range 0-59"],
    ["0 25 * * *", "got value 25 expected range 0-23"],
    ["0 0 32 * *", "got value 32 expected range 1-31"],
  ])("rejects %j as an invalid cron expression", (schedule, fragment) => {
    const reason = cronScheduleError(schedule);
    expect(reason).toMatch(/^is not a valid cron expression: /);
    expect(reason).toContain(fragment);
  });

  test("rejects an unknown preset, listing the known ones", () => {
    expect(cronScheduleError("@every5m")).toBe(
      'unknown preset "@every5m" (use @hourly, @daily, @weekly, @monthly, @yearly, or a cron expression)',
    );
  });
});
