import { describe, expect, it } from "vitest";
import { DueTimesCache, scheduleDueTimes } from "../../src/scheduler/due-times.ts";
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

describe("DueTimesCache", () => {
  const every15 = buildDag({ id: "every15", schedule: "*/15 * * * *" });
  const stateAt = (lastScheduledAt: string, paused = false) => ({ paused, lastScheduledAt, skipped: [] });
  const iso = (times: number[]) => times.map((ms) => new Date(ms).toISOString());

  it("answers a DAG whose inputs did not change from memory, with no cron work", () => {
    const cache = new DueTimesCache();
    const first = cache.get(every15, stateAt("2026-05-01T10:00:00.000Z"));
    expect(iso(first)).toEqual(["2026-05-01T10:15:00.000Z", "2026-05-01T10:30:00.000Z"]);
    // The same array back: nothing was computed again.
    expect(cache.get(every15, stateAt("2026-05-01T10:00:00.000Z"))).toBe(first);
    // A full reload hands back an equal definition as a new object: still remembered.
    expect(
      cache.get(buildDag({ id: "every15", schedule: "*/15 * * * *" }), stateAt("2026-05-01T10:00:00.000Z")),
    ).toBe(first);
  });

  it("computes again once the DAG's last scheduled run moves on", () => {
    const cache = new DueTimesCache();
    cache.get(every15, stateAt("2026-05-01T10:00:00.000Z"));
    expect(iso(cache.get(every15, stateAt("2026-05-01T10:15:00.000Z")))).toEqual([
      "2026-05-01T10:30:00.000Z",
      "2026-05-01T10:45:00.000Z",
    ]);
  });

  it.each([
    { change: "schedule", fields: { schedule: "0 * * * *" }, due: "2026-05-01T11:00:00.000Z" },
    {
      change: "timezone",
      fields: { schedule: "0 12 * * *", timezone: "Europe/Berlin" },
      due: "2026-05-02T10:00:00.000Z",
    },
    { change: "startDate", fields: { startDate: "2026-06-01T00:00:00Z" }, due: "2026-06-01T00:00:00.000Z" },
    { change: "endDate", fields: { endDate: "2026-05-01T10:20:00Z" }, due: "2026-05-01T10:15:00.000Z" },
  ])("forgets a due time when a sync changes the $change", ({ fields, due }) => {
    const cache = new DueTimesCache();
    const state = stateAt("2026-05-01T10:00:00.000Z");
    const before = buildDag({ id: "synced", schedule: "0 12 * * *" });
    cache.get(before, state);
    const after = buildDag({ id: "synced", schedule: "*/15 * * * *", ...fields });
    expect(iso(cache.get(after, state))[0]).toBe(due);
    expect(iso(cache.get(after, state))).toEqual(iso(scheduleDueTimes(after, state)));
  });

  it("has no due time while the DAG is paused, and the right one once it is unpaused", () => {
    const cache = new DueTimesCache();
    const state = stateAt("2026-05-01T10:00:00.000Z");
    const first = cache.get(every15, state);
    expect(cache.get(every15, { ...state, paused: true })).toEqual([]);
    expect(cache.get(every15, state)).toEqual(first);
    // Unpausing may also move lastScheduledAt (a DAG that starts paused gets its first state then).
    expect(iso(cache.get(every15, stateAt("2026-05-01T11:05:00.000Z")))[0]).toBe("2026-05-01T11:15:00.000Z");
    expect(cache.get(every15, stateAt("2026-05-01T11:05:00.000Z", true))).toEqual([]);
  });

  it.each([
    // 02:30 does not exist in Berlin on 2026-03-29: the next run after the 28th is on the 30th.
    { after: "2026-03-28T01:30:00.000Z", due: ["2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z"] },
    // 02:30 happens twice on 2026-10-25: it runs once, at the first.
    { after: "2026-10-24T00:30:00.000Z", due: ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"] },
    { after: "2026-10-25T00:30:00.000Z", due: ["2026-10-26T01:30:00.000Z", "2026-10-27T01:30:00.000Z"] },
  ])("across a Berlin DST change, after $after: $due", ({ after, due }) => {
    const cache = new DueTimesCache();
    const dag = buildDag({ id: "berlin", schedule: "30 2 * * *", timezone: "Europe/Berlin" });
    cache.get(dag, stateAt("2026-03-01T01:30:00.000Z"));
    expect(iso(cache.get(dag, stateAt(after)))).toEqual(due);
    expect(iso(cache.get(dag, stateAt(after)))).toEqual(iso(scheduleDueTimes(dag, stateAt(after))));
  });

  it("forgets removed DAGs", () => {
    const cache = new DueTimesCache();
    const state = stateAt("2026-05-01T10:00:00.000Z");
    const first = cache.get(every15, state);
    cache.forget(["every15"]);
    const again = cache.get(every15, state);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
