// The luxon-free cron walk for constant-offset zones (utc-cron.ts) must give exactly the times the
// cron-parser + wall-clock path gives. Zones with the same constant offset but a real IANA name
// (Africa/Abidjan is UTC+0 since 1912) take the slow path, so the two are compared directly.
import { describe, expect, it } from "vitest";
import { recentScheduleTimes, scheduleTimes } from "../../src/scheduler/next-run.ts";
import { fixedOffsetMs, utcCronOf } from "../../src/scheduler/utc-cron.ts";

const SCHEDULES = [
  "* * * * *",
  "*/15 9-17 * * 1-5",
  "0 0 * * 7",
  "0 0 1,15 * 1",
  "0 12 * * 5#3",
  "0 0 29 2 *",
  "0 0 1 */3 *",
  "5 4 * * sun",
  "0 0 ? * MON",
  "30 */5 * * * *",
  "*/7 * * * * *",
  "0-10/3 1 1 * * *",
  "@hourly",
  "@daily",
  "@weekly",
  "@monthly",
  "@yearly",
];
/** [fast-path zone, a zone with the same constant offset that takes the luxon path]. */
const ZONES = [
  ["UTC", "Africa/Abidjan"],
  ["Etc/GMT+5", "America/Panama"],
  ["Etc/GMT-14", "Pacific/Kiritimati"],
] as const;
const FROM = ["2026-03-29T00:30:00.500Z", "2024-02-28T23:59:59.000Z", "2026-12-31T23:00:00.000Z"];
const YEAR_MS = 366 * 86_400_000;

function iso(times: readonly Date[]): string[] {
  return times.map((time) => time.toISOString());
}

describe("utc-cron fast path", () => {
  it.each(ZONES)("%s has a constant offset and %s does not count as one", (fast, slow) => {
    expect(fixedOffsetMs(fast)).not.toBeNull();
    expect(fixedOffsetMs(slow)).toBeNull();
  });

  it.each([
    ["UTC", 0],
    ["Etc/UTC", 0],
    ["GMT", 0],
    ["Etc/GMT+5", -5 * 3_600_000],
    ["Etc/GMT-14", 14 * 3_600_000],
    ["Etc/GMT+12", -12 * 3_600_000],
    ["Etc/GMT+13", null],
    ["GMT+5", null],
    ["Europe/Berlin", null],
  ])("fixedOffsetMs(%s) is %s", (zone, offset) => {
    expect(fixedOffsetMs(zone)).toBe(offset);
  });

  it("leaves L expressions to cron-parser", () => {
    expect(utcCronOf("0 0 L * *")).toBeNull();
    expect(utcCronOf("0 0 * * 5L")).toBeNull();
    expect(utcCronOf("0 0 * * 5")).not.toBeNull();
  });

  describe.each(ZONES)("%s against %s", (fast, slow) => {
    it.each(SCHEDULES)("%s: the same times forwards and backwards", (schedule) => {
      for (const from of FROM) {
        const after = new Date(from);
        const until = new Date(after.getTime() + YEAR_MS);
        const dag = (timezone: string) => ({ schedule, timezone, startDate: null, endDate: null });
        expect(iso(scheduleTimes(dag(fast), after, until, 6))).toEqual(
          iso(scheduleTimes(dag(slow), after, until, 6)),
        );
        expect(iso(recentScheduleTimes(dag(fast), null, after, 6))).toEqual(
          iso(recentScheduleTimes(dag(slow), null, after, 6)),
        );
      }
    });
  });

  it("honours startDate, endDate and the floor like the luxon path", () => {
    const window = { startDate: "2026-05-01T10:07:30.000Z", endDate: "2026-05-01T11:00:00.000Z" };
    const after = new Date("2026-05-01T00:00:00.000Z");
    const until = new Date("2026-05-02T00:00:00.000Z");
    const fast = { schedule: "*/15 * * * *", timezone: "UTC", ...window };
    const slow = { ...fast, timezone: "Africa/Abidjan" };
    expect(iso(scheduleTimes(fast, after, until, 10))).toEqual([
      "2026-05-01T10:15:00.000Z",
      "2026-05-01T10:30:00.000Z",
      "2026-05-01T10:45:00.000Z",
      "2026-05-01T11:00:00.000Z",
    ]);
    expect(iso(scheduleTimes(fast, after, until, 10))).toEqual(iso(scheduleTimes(slow, after, until, 10)));
    const floor = new Date("2026-05-01T10:15:00.000Z");
    expect(iso(recentScheduleTimes(fast, floor, until, 10))).toEqual([
      "2026-05-01T11:00:00.000Z",
      "2026-05-01T10:45:00.000Z",
      "2026-05-01T10:30:00.000Z",
    ]);
    expect(iso(recentScheduleTimes(fast, floor, until, 10))).toEqual(
      iso(recentScheduleTimes(slow, floor, until, 10)),
    );
  });

  it("finds nothing when no time falls in range, and rejects what cron-parser rejects", () => {
    const dag = (schedule: string, timezone: string) => ({
      schedule,
      timezone,
      startDate: null,
      endDate: null,
    });
    const after = new Date("2026-02-01T00:00:00.000Z");
    const until = new Date("2026-12-31T00:00:00.000Z");
    expect(scheduleTimes(dag("0 0 29 2 *", "UTC"), after, until, 5)).toEqual([]);
    expect(scheduleTimes(dag("0 0 29 2 *", "Africa/Abidjan"), after, until, 5)).toEqual([]);
    expect(() => scheduleTimes(dag("0 0 30 2 *", "UTC"), after, until, 5)).toThrow(/day of month/);
    expect(() => scheduleTimes(dag("0 0 30 2 *", "Africa/Abidjan"), after, until, 5)).toThrow(/day of month/);
  });
});
