// Issue 17 point 3 (lag): the ISO time and the compact time of run ids are remembered for the last
// instant asked (a due second stamps 10,000 runs alike); each must still follow the date it is given.
import { describe, expect, it } from "vitest";
import { isoTime } from "../../src/runs/iso-time.ts";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";

const times = ["2026-05-01T10:00:00.000Z", "2026-05-01T10:00:00.001Z", "1999-12-31T23:59:59.999Z"];

describe("stamps of one instant", () => {
  it("isoTime is toISOString for dates that alternate, and for one Date changed in place", () => {
    for (const iso of [...times, ...times.reverse(), times[0] as string]) {
      expect(isoTime(new Date(iso))).toBe(iso);
      expect(isoTime(new Date(iso))).toBe(iso);
    }
    const date = new Date(times[0] as string);
    expect(isoTime(date)).toBe(times[0]);
    date.setTime(Date.parse(times[2] as string));
    expect(isoTime(date)).toBe(times[2]);
  });

  it("isoTime is toISOString for three instants asked in turns", () => {
    for (let round = 0; round < 3; round++) for (const iso of times) expect(isoTime(new Date(iso))).toBe(iso);
  });

  it("isoTime throws for an invalid date, and is right again after", () => {
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => isoTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(isoTime(new Date(times[1] as string))).toBe(times[1]);
  });

  it("scheduledRunId follows the logical date it is given", () => {
    expect(scheduledRunId("a", new Date("2026-05-01T10:00:00.000Z"))).toBe("a__scheduled__20260501T100000Z");
    expect(scheduledRunId("b", new Date("2026-05-01T10:00:00.000Z"))).toBe("b__scheduled__20260501T100000Z");
    expect(scheduledRunId("a", new Date("2026-05-01T10:01:00.000Z"))).toBe("a__scheduled__20260501T100100Z");
    expect(scheduledRunId("a", new Date("2026-05-01T10:00:00.000Z"))).toBe("a__scheduled__20260501T100000Z");
  });
});
