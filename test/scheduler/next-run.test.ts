import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { nextRunAfter, recentScheduleTimes, scheduleTimes } from "../../src/scheduler/next-run.ts";
import { at, buildDag } from "./fixtures.ts";

const NEW_YORK = "America/New_York";
const BERLIN = "Europe/Berlin";

function dagWith(schedule: string | null, fields: Parameters<typeof buildDag>[0] = {}) {
  return buildDag({ schedule, ...fields });
}

function utc(times: readonly Date[]): string[] {
  return times.map((time) => time.toISOString());
}

/** Times as local wall-clock ISO strings with their offset, e.g. `2026-11-01T01:00:00-04:00`. */
function local(times: readonly Date[], zone: string): string[] {
  return times.map((time) => DateTime.fromJSDate(time, { zone }).toISO({ suppressMilliseconds: true }) ?? "");
}

describe("scheduleTimes", () => {
  it("lists 5-field cron times strictly after `after` and up to `until` inclusive, oldest first", () => {
    const dag = dagWith("15 10 * * *");
    expect(
      utc(scheduleTimes(dag, at("2026-05-01T10:15:00.000Z"), at("2026-05-04T10:15:00.000Z"), 10)),
    ).toEqual(["2026-05-02T10:15:00.000Z", "2026-05-03T10:15:00.000Z", "2026-05-04T10:15:00.000Z"]);
  });

  it("stops at `limit`", () => {
    const dag = dagWith("*/5 * * * *");
    expect(utc(scheduleTimes(dag, at("2026-05-01T00:00:00Z"), at("2026-05-02T00:00:00Z"), 2))).toEqual([
      "2026-05-01T00:05:00.000Z",
      "2026-05-01T00:10:00.000Z",
    ]);
  });

  it("reads 6 fields with seconds first", () => {
    const dag = dagWith("*/20 30 9 * * *");
    expect(utc(scheduleTimes(dag, at("2026-05-01T00:00:00Z"), at("2026-05-02T00:00:00Z"), 10))).toEqual([
      "2026-05-01T09:30:00.000Z",
      "2026-05-01T09:30:20.000Z",
      "2026-05-01T09:30:40.000Z",
    ]);
  });

  it("returns nothing for a manual-only DAG or a limit of 0", () => {
    expect(scheduleTimes(dagWith(null), at("2026-05-01T00:00:00Z"), at("2027-05-01T00:00:00Z"), 5)).toEqual(
      [],
    );
    expect(
      scheduleTimes(dagWith("@hourly"), at("2026-05-01T00:00:00Z"), at("2027-05-01T00:00:00Z"), 0),
    ).toEqual([]);
  });

  it("starts at startDate inclusive and ends at endDate inclusive", () => {
    const dag = dagWith("@daily", { startDate: "2026-05-10", endDate: "2026-05-12" });
    expect(utc(scheduleTimes(dag, at("2026-01-01T00:00:00Z"), at("2026-06-01T00:00:00Z"), 10))).toEqual([
      "2026-05-10T00:00:00.000Z",
      "2026-05-11T00:00:00.000Z",
      "2026-05-12T00:00:00.000Z",
    ]);
  });

  it("reads startDate in the DAG's time zone", () => {
    const dag = dagWith("0 0 * * *", { timezone: NEW_YORK, startDate: "2026-05-10" });
    expect(utc(scheduleTimes(dag, at("2026-05-01T00:00:00Z"), at("2026-05-11T12:00:00Z"), 10))).toEqual([
      "2026-05-10T04:00:00.000Z",
      "2026-05-11T04:00:00.000Z",
    ]);
  });

  it("evaluates the expression on the time zone's wall clock, following its offset through the year", () => {
    const dag = dagWith("0 9 * * *", { timezone: NEW_YORK });
    expect(utc(scheduleTimes(dag, at("2026-01-15T00:00:00Z"), at("2026-01-16T00:00:00Z"), 5))).toEqual([
      "2026-01-15T14:00:00.000Z",
    ]);
    expect(utc(scheduleTimes(dag, at("2026-07-15T00:00:00Z"), at("2026-07-16T00:00:00Z"), 5))).toEqual([
      "2026-07-15T13:00:00.000Z",
    ]);
    const berlin = dagWith("0 9 * * *", { timezone: BERLIN });
    expect(utc(scheduleTimes(berlin, at("2026-07-15T00:00:00Z"), at("2026-07-16T00:00:00Z"), 5))).toEqual([
      "2026-07-15T07:00:00.000Z",
    ]);
  });

  describe("DST in America/New_York", () => {
    it("does not run a daily 02:30 on 2026-03-08, when the clocks skip from 02:00 to 03:00", () => {
      const dag = dagWith("30 2 * * *", { timezone: NEW_YORK });
      const times = scheduleTimes(dag, at("2026-03-06T00:00:00Z"), at("2026-03-10T00:00:00Z"), 10);
      expect(local(times, NEW_YORK)).toEqual([
        "2026-03-06T02:30:00-05:00",
        "2026-03-07T02:30:00-05:00",
        "2026-03-09T02:30:00-04:00",
      ]);
    });

    it("runs every half hour through the spring gap without the skipped 02:00 and 02:30", () => {
      const dag = dagWith("*/30 * * * *", { timezone: NEW_YORK });
      const times = scheduleTimes(dag, at("2026-03-08T06:00:00Z"), at("2026-03-08T08:00:00Z"), 10);
      expect(local(times, NEW_YORK)).toEqual([
        "2026-03-08T01:30:00-05:00",
        "2026-03-08T03:00:00-04:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-08T04:00:00-04:00",
      ]);
    });

    it("runs the repeated 01:00 and 01:30 of 2026-11-01 once each", () => {
      const dag = dagWith("*/30 * * * *", { timezone: NEW_YORK });
      const times = scheduleTimes(dag, at("2026-11-01T04:00:00Z"), at("2026-11-01T08:00:00Z"), 20);
      expect(utc(times)).toEqual([
        "2026-11-01T04:30:00.000Z",
        "2026-11-01T05:00:00.000Z",
        "2026-11-01T05:30:00.000Z",
        "2026-11-01T07:00:00.000Z",
        "2026-11-01T07:30:00.000Z",
        "2026-11-01T08:00:00.000Z",
      ]);
      expect(local(times, NEW_YORK)).toEqual([
        "2026-11-01T00:30:00-04:00",
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T02:30:00-05:00",
        "2026-11-01T03:00:00-05:00",
      ]);
    });

    it("runs a daily 01:30 once on the fall-back day, at its first occurrence", () => {
      const dag = dagWith("30 1 * * *", { timezone: NEW_YORK });
      const times = scheduleTimes(dag, at("2026-10-31T00:00:00Z"), at("2026-11-02T12:00:00Z"), 10);
      expect(utc(times)).toEqual([
        "2026-10-31T05:30:00.000Z",
        "2026-11-01T05:30:00.000Z",
        "2026-11-02T06:30:00.000Z",
      ]);
    });

    it("runs a 6-field schedule in the repeated hour once", () => {
      const dag = dagWith("30 0 1 * * *", { timezone: NEW_YORK });
      const times = scheduleTimes(dag, at("2026-10-31T12:00:00Z"), at("2026-11-02T12:00:00Z"), 10);
      expect(utc(times)).toEqual(["2026-11-01T05:00:30.000Z", "2026-11-02T06:00:30.000Z"]);
    });

    it("skips the whole repeated hour of a per-minute schedule, however many candidates that is", () => {
      const dag = dagWith("* * * * *", { timezone: NEW_YORK });
      const times = scheduleTimes(dag, at("2026-11-01T05:58:30Z"), at("2026-11-01T07:02:00Z"), 5);
      expect(local(times, NEW_YORK)).toEqual([
        "2026-11-01T01:59:00-04:00",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T02:01:00-05:00",
        "2026-11-01T02:02:00-05:00",
      ]);
    });
  });

  describe("DST in Europe/Berlin", () => {
    it("runs hourly through 2026-03-29 with no 02:00, which does not exist that day", () => {
      const dag = dagWith("@hourly", { timezone: BERLIN });
      const times = scheduleTimes(dag, at("2026-03-28T23:30:00Z"), at("2026-03-29T02:30:00Z"), 10);
      expect(local(times, BERLIN)).toEqual([
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
      ]);
    });

    it("runs hourly on 2026-10-25 with the repeated 02:00 once", () => {
      const dag = dagWith("@hourly", { timezone: BERLIN });
      const times = scheduleTimes(dag, at("2026-10-24T22:30:00Z"), at("2026-10-25T03:00:00Z"), 10);
      expect(utc(times)).toEqual([
        "2026-10-24T23:00:00.000Z",
        "2026-10-25T00:00:00.000Z",
        "2026-10-25T02:00:00.000Z",
        "2026-10-25T03:00:00.000Z",
      ]);
      expect(local(times, BERLIN)).toEqual([
        "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T03:00:00+01:00",
        "2026-10-25T04:00:00+01:00",
      ]);
    });

    it("skips a daily 02:30 on 2026-03-29 and runs it once on 2026-10-25", () => {
      const dag = dagWith("30 2 * * *", { timezone: BERLIN });
      expect(
        local(scheduleTimes(dag, at("2026-03-27T12:00:00Z"), at("2026-03-30T12:00:00Z"), 10), BERLIN),
      ).toEqual(["2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00"]);
      expect(utc(scheduleTimes(dag, at("2026-10-24T12:00:00Z"), at("2026-10-26T12:00:00Z"), 10))).toEqual([
        "2026-10-25T00:30:00.000Z",
        "2026-10-26T01:30:00.000Z",
      ]);
    });
  });
});

describe("nextRunAfter", () => {
  it.each([
    ["@hourly", "2026-05-13T11:00:00.000Z"],
    ["@daily", "2026-05-14T00:00:00.000Z"],
    ["@weekly", "2026-05-17T00:00:00.000Z"],
    ["@monthly", "2026-06-01T00:00:00.000Z"],
    ["@yearly", "2027-01-01T00:00:00.000Z"],
  ])("expands the preset %s", (preset, expected) => {
    expect(nextRunAfter(dagWith(preset), at("2026-05-13T10:20:00Z"))?.toISOString()).toBe(expected);
  });

  it("is strictly after the given time", () => {
    expect(nextRunAfter(dagWith("@hourly"), at("2026-05-13T11:00:00Z"))?.toISOString()).toBe(
      "2026-05-13T12:00:00.000Z",
    );
  });

  it("is null for a manual-only DAG", () => {
    expect(nextRunAfter(dagWith(null), at("2026-05-13T10:20:00Z"))).toBeNull();
  });

  it("is null once the schedule has passed its endDate", () => {
    const dag = dagWith("@daily", { endDate: "2026-05-12" });
    expect(nextRunAfter(dag, at("2026-05-11T12:00:00Z"))?.toISOString()).toBe("2026-05-12T00:00:00.000Z");
    expect(nextRunAfter(dag, at("2026-05-12T00:00:00Z"))).toBeNull();
  });

  it("waits for startDate", () => {
    const dag = dagWith("@daily", { startDate: "2026-09-01T00:00:00Z" });
    expect(nextRunAfter(dag, at("2026-05-13T10:20:00Z"))?.toISOString()).toBe("2026-09-01T00:00:00.000Z");
  });

  it("goes past a skipped 02:30 in New York to the next day", () => {
    const dag = dagWith("30 2 * * *", { timezone: NEW_YORK });
    expect(nextRunAfter(dag, at("2026-03-07T08:00:00Z"))?.toISOString()).toBe("2026-03-09T06:30:00.000Z");
  });

  it("finds a yearly time that falls into a DST gap in the next year it exists", () => {
    const dag = dagWith("30 2 8 3 *", { timezone: NEW_YORK });
    expect(nextRunAfter(dag, at("2026-01-01T00:00:00Z"))?.toISOString()).toBe("2027-03-08T07:30:00.000Z");
  });

  it("finds the next per-minute run after the repeated hour of 2026-11-01 in New York", () => {
    const dag = dagWith("* * * * *", { timezone: NEW_YORK });
    expect(nextRunAfter(dag, at("2026-11-01T05:59:30Z"))?.toISOString()).toBe("2026-11-01T07:00:00.000Z");
  });

  it("finds the next per-second run after the repeated hour of 2026-11-01 in New York", () => {
    const dag = dagWith("* * * * * *", { timezone: NEW_YORK });
    expect(nextRunAfter(dag, at("2026-11-01T05:59:59.500Z"))?.toISOString()).toBe("2026-11-01T07:00:00.000Z");
  });

  it("is null, and returns, for a schedule that only names times the clocks skip", () => {
    // 02:30 on the second Sunday of March never exists in New York.
    const dag = dagWith("30 2 * 3 0#2", { timezone: NEW_YORK });
    expect(nextRunAfter(dag, at("2026-01-01T00:00:00Z"))).toBeNull();
  });

  it("finds the first Berlin 02:00 after the repeated one has run", () => {
    const dag = dagWith("0 2 * * *", { timezone: BERLIN });
    expect(nextRunAfter(dag, at("2026-10-25T00:00:00Z"))?.toISOString()).toBe("2026-10-26T01:00:00.000Z");
  });
});

describe("recentScheduleTimes", () => {
  it("lists the newest times at or before `now` and strictly after `after`, newest first", () => {
    const dag = dagWith("@hourly");
    expect(utc(recentScheduleTimes(dag, at("2026-05-01T10:00:00Z"), at("2026-05-01T13:00:00Z"), 10))).toEqual(
      ["2026-05-01T13:00:00.000Z", "2026-05-01T12:00:00.000Z", "2026-05-01T11:00:00.000Z"],
    );
  });

  it("stops at `limit`, keeping the newest", () => {
    const dag = dagWith("@hourly");
    expect(utc(recentScheduleTimes(dag, at("2026-05-01T00:00:00Z"), at("2026-05-01T13:30:00Z"), 2))).toEqual([
      "2026-05-01T13:00:00.000Z",
      "2026-05-01T12:00:00.000Z",
    ]);
  });

  it("walks back to startDate (inclusive) without `after`, and ignores times past endDate", () => {
    const dag = dagWith("@daily", { startDate: "2026-05-10", endDate: "2026-05-12" });
    expect(utc(recentScheduleTimes(dag, null, at("2026-06-01T00:00:00Z"), 10))).toEqual([
      "2026-05-12T00:00:00.000Z",
      "2026-05-11T00:00:00.000Z",
      "2026-05-10T00:00:00.000Z",
    ]);
  });

  it("finds the last times before an endDate long past, even for a per-minute schedule", () => {
    const dag = dagWith("* * * * *", { endDate: "2026-01-01T00:00:00Z" });
    expect(utc(recentScheduleTimes(dag, at("2025-12-31T23:00:00Z"), at("2026-06-01T00:00:00Z"), 2))).toEqual([
      "2026-01-01T00:00:00.000Z",
      "2025-12-31T23:59:00.000Z",
    ]);
  });

  it("returns nothing for a manual-only DAG, a limit of 0, or `now` before `after`", () => {
    expect(recentScheduleTimes(dagWith(null), null, at("2026-05-01T13:00:00Z"), 5)).toEqual([]);
    expect(recentScheduleTimes(dagWith("@hourly"), null, at("2026-05-01T13:00:00Z"), 0)).toEqual([]);
    expect(
      recentScheduleTimes(dagWith("@hourly"), at("2026-05-01T13:00:00Z"), at("2026-05-01T09:30:00Z"), 5),
    ).toEqual([]);
  });

  it("skips the New York spring gap walking backwards", () => {
    const dag = dagWith("30 2 * * *", { timezone: NEW_YORK });
    expect(
      local(recentScheduleTimes(dag, at("2026-03-06T12:00:00Z"), at("2026-03-10T00:00:00Z"), 10), NEW_YORK),
    ).toEqual(["2026-03-09T02:30:00-04:00", "2026-03-07T02:30:00-05:00"]);
  });

  it("runs the repeated New York 01:00 and 01:30 once each walking backwards", () => {
    const dag = dagWith("*/30 * * * *", { timezone: NEW_YORK });
    expect(utc(recentScheduleTimes(dag, at("2026-11-01T04:00:00Z"), at("2026-11-01T08:00:00Z"), 20))).toEqual(
      [
        "2026-11-01T08:00:00.000Z",
        "2026-11-01T07:30:00.000Z",
        "2026-11-01T07:00:00.000Z",
        "2026-11-01T05:30:00.000Z",
        "2026-11-01T05:00:00.000Z",
        "2026-11-01T04:30:00.000Z",
      ],
    );
  });

  it("runs the repeated Berlin 02:00 once walking backwards", () => {
    const dag = dagWith("@hourly", { timezone: BERLIN });
    expect(utc(recentScheduleTimes(dag, at("2026-10-24T22:30:00Z"), at("2026-10-25T03:00:00Z"), 10))).toEqual(
      [
        "2026-10-25T03:00:00.000Z",
        "2026-10-25T02:00:00.000Z",
        "2026-10-25T00:00:00.000Z",
        "2026-10-24T23:00:00.000Z",
      ],
    );
  });

  it("finds the last per-minute run before the repeated New York hour from inside it", () => {
    const dag = dagWith("* * * * *", { timezone: NEW_YORK });
    expect(utc(recentScheduleTimes(dag, at("2026-11-01T05:57:00Z"), at("2026-11-01T06:30:00Z"), 2))).toEqual([
      "2026-11-01T05:59:00.000Z",
      "2026-11-01T05:58:00.000Z",
    ]);
  });
});
