import { describe, expect, it } from "vitest";
import { nextRunAfter } from "../../src/scheduler/next-run.ts";
import { nextRunAt } from "../../src/server/views/next-run-at.ts";

const hourly = { schedule: "0 * * * *", timezone: "UTC", startDate: null, endDate: null };

describe("nextRunAt (memoised nextRunAfter for views)", () => {
  it("answers as nextRunAfter does while time moves on, across due times and backwards", () => {
    const dag = { ...hourly };
    const times = [
      "2026-03-01T10:15:00Z",
      "2026-03-01T10:59:59Z",
      "2026-03-01T11:00:00Z",
      "2026-03-01T11:00:01Z",
      "2026-03-01T09:30:00Z",
      "2026-03-01T09:30:00Z",
      "2026-03-02T00:00:00Z",
    ];
    for (const time of times)
      expect(nextRunAt(dag, new Date(time))?.toISOString(), time).toBe(
        nextRunAfter(dag, new Date(time))?.toISOString(),
      );
  });

  it("keeps answers per definition object", () => {
    const a = { ...hourly };
    const b = { ...hourly, schedule: "30 * * * *" };
    const at = new Date("2026-03-01T10:15:00Z");
    expect(nextRunAt(a, at)?.toISOString()).toBe("2026-03-01T11:00:00.000Z");
    expect(nextRunAt(b, at)?.toISOString()).toBe("2026-03-01T10:30:00.000Z");
  });

  it("is null for a manual DAG and an ended schedule", () => {
    expect(nextRunAt({ ...hourly, schedule: null }, new Date())).toBeNull();
    const ended = { ...hourly, endDate: "2026-01-01T00:00:00Z" };
    expect(nextRunAt(ended, new Date("2026-02-01T00:00:00Z"))).toBeNull();
  });
});
