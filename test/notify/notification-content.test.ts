// Issue #16 point 2: every message names DAG, run, task, try, state, reason, commit, logical date,
// the last 20 log lines (masked, cut short, read with bounded memory) and links to the page.
import { open, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLogTail } from "../../src/notify/content/log-tail.ts";
import {
  maskNotification,
  missedScheduleNotifications,
  syncFailureNotification,
  taskNotification,
} from "../../src/notify/content/notification-content.ts";
import type { MissedSchedule } from "../../src/runs/missed-schedule.ts";
import type { Run, TaskInstance } from "../../src/runs/run-model.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { pageLinks } from "../../src/server/page/page-links.ts";
import { Cleanup } from "../support/cleanup.ts";

const cleanup = new Cleanup();
const links = pageLinks(() => "https://updraft.example");
const mask = new SecretMask(["hunter2-secret"]);
const NOW = new Date("2026-12-05T06:30:00.000Z");

const run = {
  id: "etl__manual__2026-12-05T06:00:00",
  dagId: "etl",
  state: "failed",
  logicalDate: "2026-12-05T06:00:00.000Z",
  commit: "0123456789abcdef0123456789abcdef01234567",
} as Run;
const task = {
  id: "load",
  state: "failed",
  try: 3,
  reason: "exit code 1 (password hunter2-secret refused)",
  endedAt: "2026-12-05T06:10:00.000Z",
} as TaskInstance;

describe("readLogTail", () => {
  afterEach(() => cleanup.run());

  it("gives the last 20 lines, masked, each cut to 300 characters", async () => {
    const file = path.join(await cleanup.tempDir("tail"), "try-1.log");
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    lines[27] = `token=hunter2-secret ${"x".repeat(400)}`;
    await writeFile(file, `${lines.join("\n")}\n`);
    const tail = await readLogTail(file, mask);
    expect(tail).toHaveLength(20);
    expect(tail[0]).toBe("line 11");
    expect(tail[19]).toBe("line 30");
    expect(tail[17]).toBe(`token=*** ${"x".repeat(289)}…`);
    expect([...(tail[17] ?? "")]).toHaveLength(300);
    expect(tail.join("\n")).not.toContain("hunter2");
  });

  it("reads a 50 MB log's tail without reading the rest (the first, partial line is left out)", async () => {
    const file = path.join(await cleanup.tempDir("tail"), "big.log");
    const handle = await open(file, "w");
    const block = Buffer.from(`${"a".repeat(99)}\n`.repeat(10_486)); // ~1 MB of whole lines
    for (let i = 0; i < 50; i++) await handle.write(block);
    await handle.write("second to last\nthe end\n");
    await handle.close();
    const before = process.memoryUsage().arrayBuffers;
    const tail = await readLogTail(file, mask);
    // 64 KB read, not 50 MB: far below what reading the file would need.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    expect(tail.slice(-2)).toEqual(["second to last", "the end"]);
    expect(tail).toHaveLength(20);
    expect(tail[0]).toBe("a".repeat(99));
  });

  it("gives [] for a missing file", async () => {
    expect(await readLogTail("/nonexistent/try-1.log", mask)).toEqual([]);
  });
});

describe("notification content", () => {
  it("a final failure names everything, links to the run, the try's log and the commit's sync, masked", () => {
    const built = maskNotification(taskNotification("failure", run, task, ["boom"], links, NOW), mask);
    expect(built).toEqual({
      id: "failure:etl__manual__2026-12-05T06:00:00:load:3",
      event: "failure",
      title:
        "updraft: task etl.load failed in run etl__manual__2026-12-05T06:00:00 (try 3): exit code 1 (password *** refused)",
      at: "2026-12-05T06:10:00.000Z",
      dag: "etl",
      run: run.id,
      task: "load",
      try: 3,
      state: "failed",
      reason: "exit code 1 (password *** refused)",
      commit: run.commit,
      logicalDate: run.logicalDate,
      logTail: ["boom"],
      links: {
        run: "https://updraft.example/runs/etl__manual__2026-12-05T06%3A00%3A00",
        log: "https://updraft.example/runs/etl__manual__2026-12-05T06%3A00%3A00/tasks/load/logs?try=3",
        sync: "https://updraft.example/syncs#sync-0123456789ab",
      },
    });
  });

  it("gives a missed schedule one notification per date, named on the DAG's wall clock", () => {
    const missed: MissedSchedule = {
      dagId: "etl",
      logicalDate: "2026-12-05T06:00:00.000Z",
      kind: "start",
      reason: "no run started within 15m of 2026-12-05T06:00:00.000Z (DAG paused)",
      summary: "no run started within 15m (DAG paused)",
      count: 2,
      dates: ["2026-12-05T05:00:00.000Z", "2026-12-05T06:00:00.000Z"].map((logicalDate) => ({
        logicalDate,
        kind: "start" as const,
        summary: "no run started within 15m (DAG paused)",
        reason: `no run started within 15m of ${logicalDate} (DAG paused)`,
      })),
      timezone: "Europe/Paris",
      onFailureUrl: null,
      onMissedSchedule: [],
    };
    const built = missedScheduleNotifications(missed, NOW);
    expect(built.map((n) => [n.id, n.title, n.reason, n.logicalDate, n.missed])).toEqual([
      [
        "missed:etl:2026-12-05T05:00:00.000Z:start",
        'updraft: DAG "etl" missed its 2026-12-05 06:00 Europe/Paris schedule: no run started within 15m (DAG paused)',
        "no run started within 15m of 2026-12-05T05:00:00.000Z (DAG paused)",
        "2026-12-05T05:00:00.000Z",
        { kind: "start" },
      ],
      [
        "missed:etl:2026-12-05T06:00:00.000Z:start",
        'updraft: DAG "etl" missed its 2026-12-05 07:00 Europe/Paris schedule: no run started within 15m (DAG paused)',
        "no run started within 15m of 2026-12-05T06:00:00.000Z (DAG paused)",
        "2026-12-05T06:00:00.000Z",
        { kind: "start" },
      ],
    ]);
  });

  it("a commit that fails to load names the commit and the first import error's file:line", () => {
    const built = syncFailureNotification(
      {
        at: "2026-12-05T06:00:00.000Z",
        sha: run.commit,
        previousSha: null,
        ok: true,
        error: null,
        durationMs: 5,
        changes: { added: [], updated: [], removed: [] },
        loaded: {
          dags: 1,
          importErrors: 2,
          firstError: { file: "dags/broken.ts", line: 4, message: "boom\n  at x" },
        },
      },
      links,
      NOW,
    );
    expect(built).toMatchObject({
      id: `sync:${run.commit}`,
      event: "sync_failure",
      title:
        "updraft: commit 0123456789ab failed to load: 2 import errors, the first at dags/broken.ts:4: boom at x",
      commit: run.commit,
      links: { sync: "https://updraft.example/syncs#sync-0123456789ab", run: null, log: null },
    });
  });
});
