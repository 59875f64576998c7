import { describe, expect, it } from "vitest";
import { describeCron } from "../../src/server/page/cron-words.ts";
import { layoutGraph } from "../../src/server/page/dag-graph.ts";
import { ganttBars } from "../../src/server/page/gantt-chart.ts";
import { formatDuration, formatRelative } from "../../src/server/page/time-format.ts";

describe("describeCron", () => {
  it.each([
    ["* * * * *", "every minute"],
    ["*/5 * * * *", "every 5 minutes"],
    ["0 * * * *", "every hour, on the hour"],
    ["@hourly", "every hour, on the hour"],
    ["15 * * * *", "every hour at minute 15"],
    ["0 */6 * * *", "every 6 hours at minute 0"],
    ["30 2 * * *", "every day at 02:30"],
    ["@daily", "every day at 00:00"],
    ["0 0,12 * * *", "every day at 00:00, 12:00"],
    ["0 9 * * 1-5", "every weekday (Monday to Friday) at 09:00"],
    ["0 10 * * 0,6", "every Saturday and Sunday at 10:00"],
    ["@weekly", "every Sunday at 00:00"],
    ["45 23 * * 1,3", "every Monday, Wednesday at 23:45"],
    ["@monthly", "on day 1 of every month at 00:00"],
    ["0 6 1,15 * *", "on day 1, 15 of every month at 06:00"],
    ["@yearly", "every year on day 1 of January at 00:00"],
    ["*/10 * * * * *", "every 10 seconds"],
    ["0 30 2 * * *", "every day at 02:30"],
  ])("%s → %s", (cron, words) => {
    expect(describeCron(cron)).toBe(words);
  });

  it.each(["5-10/2 * * * *", "0 9 L * *", "0 0 1 * 1", "15 30 2 * * *", "0 9 * * MON", "*/7 3 * * *"])(
    "leaves %s to the cron text",
    (cron) => {
      expect(describeCron(cron)).toBeUndefined();
    },
  );
});

describe("layoutGraph", () => {
  it("puts each task one layer right of its deepest upstream task, in definition order", () => {
    const placed = layoutGraph([
      { id: "a", dependsOn: [] },
      { id: "b", dependsOn: ["a"] },
      { id: "c", dependsOn: [] },
      { id: "d", dependsOn: ["b", "c"] },
      { id: "e", dependsOn: ["a"] },
    ]);
    expect(placed).toEqual([
      { id: "a", layer: 0, slot: 0 },
      { id: "b", layer: 1, slot: 0 },
      { id: "c", layer: 0, slot: 1 },
      { id: "d", layer: 2, slot: 0 },
      { id: "e", layer: 1, slot: 1 },
    ]);
  });
});

describe("ganttBars", () => {
  it("measures tries from the earliest start; a running try ends at now", () => {
    const now = new Date("2026-05-01T10:01:00Z");
    const { bars, spanMs } = ganttBars(
      [
        {
          id: "a",
          tries: [
            { try: 1, state: "failed", startedAt: "2026-05-01T10:00:00Z", endedAt: "2026-05-01T10:00:10Z" },
            { try: 2, state: "success", startedAt: "2026-05-01T10:00:20Z", endedAt: "2026-05-01T10:00:30Z" },
          ],
        },
        { id: "b", tries: [{ try: 1, state: "running", startedAt: "2026-05-01T10:00:30Z", endedAt: null }] },
        { id: "c", tries: [{ try: 1, state: "queued", startedAt: null, endedAt: null }] },
      ],
      now,
    );
    expect(bars).toEqual([
      { taskId: "a", try: 1, state: "failed", fromMs: 0, toMs: 10_000, ended: true },
      { taskId: "a", try: 2, state: "success", fromMs: 20_000, toMs: 30_000, ended: true },
      { taskId: "b", try: 1, state: "running", fromMs: 30_000, toMs: 60_000, ended: false },
    ]);
    expect(spanMs).toBe(60_000);
  });
});

describe("time formats", () => {
  it("writes durations and relative times a person reads at a glance", () => {
    expect([450, 1_234, 42_000, 185_000, 7_500_000, 200_000_000].map(formatDuration)).toEqual([
      "450 ms",
      "1.2 s",
      "42 s",
      "3 min 5 s",
      "2 h 5 min",
      "2 d 7 h",
    ]);
    const now = new Date("2026-05-01T10:00:00Z");
    expect(formatRelative("2026-05-01T09:57:00Z", now)).toBe("3 min ago");
    expect(formatRelative("2026-05-01T10:00:30Z", now)).toBe("in 30 s");
  });
});
