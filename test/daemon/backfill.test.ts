// Issue #15 point 4: a backfill over a date range in a real `updraft run` process with the local
// executor: never more than its maxActiveRuns at once, survives kill -9 with no date run twice,
// can be cancelled, and keeps or reruns the runs that exist per `rerun`.
import type { BackfillProgress } from "../../src/cli/backfill-progress-line.ts";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auditFile } from "../../src/audit/audit-log.ts";
import { parseAuditLine } from "../../src/audit/audit-line.ts";
import { dailyDag, maxOverlap, startsOf } from "../backfill/support/backfill-dags.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { type DaemonProcess, logDir, POLL, startDaemonProcess } from "./support/daemon-process.ts";

const cleanup = useCleanup("file");
const HEADER = "[updraft] local executor";

type BackfillBody = BackfillProgress;

async function setUp(sleepMs: number, retries = 0) {
  const dir = await cleanup.tempDir("daemon-backfill");
  const eventsFile = path.join(dir, "events.txt");
  const failFile = path.join(dir, "fail.txt");
  const folders = await daemonFolders(cleanup, "backfill", {
    "days.ts": dailyDag("days", eventsFile, failFile, sleepMs, retries),
    "manual.ts": `import { dag, pod } from "updraft";\nexport default dag({ id: "manual", schedule: null, tasks: [pod({ id: "t", image: "x", command: ["true"] })] });\n`,
    "paused.ts": `import { dag, pod } from "updraft";\nexport default dag({ id: "paused", schedule: "@daily", pausedOnCreation: true, tasks: [pod({ id: "t", image: "x", command: ["true"] })] });\n`,
  });
  const events = () => readFile(eventsFile, "utf8").catch(() => "");
  return { folders, eventsFile, failFile, events };
}

async function backfillOf(daemon: DaemonProcess, id: string): Promise<BackfillBody> {
  const response = await daemon.request(`/api/backfills/${id}`);
  expect(response.status, response.text).toBe(200);
  return response.body as BackfillBody;
}

function waitForEnd(daemon: DaemonProcess, id: string, seen: BackfillBody[] = []): Promise<BackfillBody> {
  return waitFor(
    `backfill ${id} ended`,
    async () => {
      const current = await backfillOf(daemon, id);
      seen.push(current);
      return current.state === "running" ? undefined : current;
    },
    { ...POLL, timeoutMs: 90_000 },
  );
}

async function runsOf(daemon: DaemonProcess): Promise<
  Array<{
    id: string;
    logicalDate: string;
    state: string;
    backfillId?: string;
    tasks: Array<{ try: number }>;
  }>
> {
  const response = await daemon.request("/api/dags/days/runs?limit=1000");
  expect(response.status, response.text).toBe(200);
  return response.body;
}

describe("backfill", () => {
  it("runs 30 days with at most 3 at once, survives kill -9 in the middle, and runs no date twice", async () => {
    const { folders, events } = await setUp(400, 1);
    let daemon = await startDaemonProcess(cleanup, folders);
    await daemon.waitForDags(["days"]);
    const created = await daemon.post("/api/dags/days/backfills", {
      from: "2026-11-01",
      to: "2026-11-30",
      maxActiveRuns: 3,
      conf: { reason: "reprocess" },
      rerun: "missing",
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.backfillId as string;
    expect(created.body).toMatchObject({ state: "running", planned: 30, maxActiveRuns: 3 });

    const seen: BackfillBody[] = [];
    await waitFor(
      "ten runs succeeded",
      async () => {
        const current = await backfillOf(daemon, id);
        seen.push(current);
        return current.succeeded >= 10 ? current : undefined;
      },
      { ...POLL, timeoutMs: 90_000 },
    );
    await daemon.kill9();

    daemon = await startDaemonProcess(cleanup, folders);
    const ended = await waitForEnd(daemon, id, seen);
    expect(ended).toMatchObject({
      state: "success",
      planned: 30,
      created: 30,
      kept: 0,
      succeeded: 30,
      failed: 0,
      active: 0,
    });
    expect(Math.max(...seen.map((b) => b.active))).toBeLessThanOrEqual(3);

    const text = await events();
    expect(maxOverlap(text), text).toBeLessThanOrEqual(3);
    const starts = startsOf(text);
    const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, "0")}`);
    // No try of any date started twice. A try the kill interrupted (the local executor cannot adopt a
    // process; one killed before its first line wrote nothing) is retried as try 2 of the same run.
    expect(
      [...starts.values()].every((count) => count === 1),
      JSON.stringify([...starts]),
    ).toBe(true);
    expect(
      [...starts.keys()].every((key) => / [12]$/.test(key)),
      JSON.stringify([...starts]),
    ).toBe(true);
    expect(new Set([...starts.keys()].map((key) => key.split(" ")[0])).size).toBe(30);
    expect([...starts.keys()].every((key) => days.includes(key.split(" ")[0] ?? ""))).toBe(true);
    const runs = await runsOf(daemon);
    expect(runs).toHaveLength(30);
    expect(new Set(runs.map((run) => run.logicalDate)).size).toBe(30);
    expect(runs.every((run) => run.state === "success" && run.backfillId === id)).toBe(true);
    for (const run of runs) {
      const dir = logDir(daemon.stateDir, "days", run.id, "work");
      const logs = (await readdir(dir)).filter((file) => /^try-\d+\.log$/.test(file));
      const last = `try-${run.tasks[0]?.try}.log`;
      expect(logs, run.id).toContain(last);
      for (const file of logs) {
        const text = await readFile(path.join(dir, file), "utf8");
        expect(text.split(HEADER).length - 1, `${run.id}: executor headers in ${file}`).toBe(1);
      }
      expect(await readFile(path.join(dir, last), "utf8"), run.id).toContain('with {"reason":"reprocess"}');
    }
  }, 240_000);

  it("cancels: runs not yet created never are, the ones under way finish", async () => {
    const { folders } = await setUp(1500);
    const daemon = await startDaemonProcess(cleanup, folders);
    await daemon.waitForDags(["days"]);
    const created = await daemon.post("/api/dags/days/backfills", {
      from: "2026-11-01",
      to: "2026-11-30",
      maxActiveRuns: 2,
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.backfillId as string;
    await waitFor(
      "two runs created",
      async () => ((await backfillOf(daemon, id)).created >= 2 ? true : undefined),
      POLL,
    );
    const cancelled = await daemon.post(`/api/backfills/${id}/cancel`);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body).toMatchObject({ state: "cancelled", created: 2, active: 2 });
    expect(cancelled.body.message).toContain("finish");
    const again = await daemon.post(`/api/backfills/${id}/cancel`);
    expect(again.status, again.text).toBe(409);
    const settled = await waitFor(
      "its runs finished",
      async () => {
        const current = await backfillOf(daemon, id);
        return current.active === 0 ? current : undefined;
      },
      POLL,
    );
    expect(settled).toMatchObject({ state: "cancelled", created: 2, succeeded: 2 });
    expect(await runsOf(daemon)).toHaveLength(2);
    const list = await daemon.request("/api/dags/days/backfills");
    expect(list.body.map((b: BackfillBody) => [b.id, b.state])).toEqual([[id, "cancelled"]]);
    const entries = (await readFile(auditFile(daemon.stateDir), "utf8"))
      .split("\n")
      .map((line) => parseAuditLine(line))
      .filter((entry) => entry?.action.startsWith("backfill"));
    expect(entries.map((e) => [e?.action, e?.target, e?.status])).toEqual([
      ["backfill", "dag/days", 201],
      ["backfill-cancel", `backfill/${id}`, 200],
      ["backfill-cancel", `backfill/${id}`, 409],
    ]);
  }, 120_000);

  it("keeps or reruns the runs that exist per rerun: missing, failed, all; refuses bad requests with 400", async () => {
    const { folders, failFile } = await setUp(50);
    const daemon = await startDaemonProcess(cleanup, folders);
    await daemon.waitForDags(["days", "manual", "paused"]);
    await writeFile(failFile, "2026-11-02");
    const range = { from: "2026-11-01", to: "2026-11-03" };
    const start = async (rerun: string) => {
      const response = await daemon.post("/api/dags/days/backfills", { ...range, rerun });
      expect(response.status, response.text).toBe(201);
      return waitForEnd(daemon, response.body.backfillId as string);
    };
    const tries = async () =>
      Object.fromEntries(
        (await runsOf(daemon)).map((run) => [run.logicalDate.slice(0, 10), [run.state, run.tasks[0]?.try]]),
      );

    expect(await start("missing")).toMatchObject({ state: "failed", created: 3, succeeded: 2, failed: 1 });
    expect(await tries()).toEqual({
      "2026-11-01": ["success", 1],
      "2026-11-02": ["failed", 1],
      "2026-11-03": ["success", 1],
    });
    await writeFile(failFile, "");

    expect(await start("missing")).toMatchObject({ state: "success", created: 0, kept: 3 });
    expect(await tries()).toEqual({
      "2026-11-01": ["success", 1],
      "2026-11-02": ["failed", 1],
      "2026-11-03": ["success", 1],
    });

    expect(await start("failed")).toMatchObject({ state: "success", created: 1, kept: 2, succeeded: 1 });
    expect(await tries()).toEqual({
      "2026-11-01": ["success", 1],
      "2026-11-02": ["success", 2],
      "2026-11-03": ["success", 1],
    });

    expect(await start("all")).toMatchObject({ state: "success", created: 3, kept: 0, succeeded: 3 });
    expect(await tries()).toEqual({
      "2026-11-01": ["success", 2],
      "2026-11-02": ["success", 3],
      "2026-11-03": ["success", 2],
    });
    // Each try has its own log: reruns never overwrite an earlier try's.
    const runs = await runsOf(daemon);
    const nov2 = runs.find((run) => run.logicalDate.startsWith("2026-11-02"));
    expect(
      (await readdir(logDir(daemon.stateDir, "days", nov2?.id ?? "", "work")))
        .filter((f) => f.endsWith(".log"))
        .sort(),
    ).toEqual(["try-1.log", "try-2.log", "try-3.log"]);

    const refused: Array<[string, unknown, number, string]> = [
      ["/api/dags/days/backfills", { from: "2026-11-31", to: "2026-12-01" }, 400, "from:"],
      [
        "/api/dags/days/backfills",
        { from: "2026-11-05", to: "2026-11-01" },
        400,
        "to: must not be before from",
      ],
      [
        "/api/dags/days/backfills",
        { from: "2026-11-01T07:00", to: "2026-11-01T08:00" },
        400,
        "no logical dates",
      ],
      ["/api/dags/days/backfills", { from: "2026-11-01", to: "2026-11-02", rerun: "some" }, 400, "rerun:"],
      [
        "/api/dags/days/backfills",
        { from: "2026-11-01", to: "2026-11-02", maxActiveRuns: 0 },
        400,
        "maxActiveRuns:",
      ],
      ["/api/dags/days/backfills", { from: "2026-11-01", to: "2026-11-02", extra: 1 }, 400, "extra"],
      ["/api/dags/days/backfills", { to: "2026-11-02", conf: [] }, 400, "from:"],
      ["/api/dags/manual/backfills", range, 400, "has no schedule"],
      ["/api/dags/nope/backfills", range, 404, "no DAG"],
      ["/api/dags/paused/backfills", range, 409, "is paused"],
      ["/api/backfills/constructor/cancel", undefined, 404, "no backfill"],
    ];
    for (const [url, body, status, message] of refused) {
      const response = await daemon.post(url, body);
      expect(response.status, `${url} ${JSON.stringify(body)}: ${response.text}`).toBe(status);
      expect(response.body.error.message).toContain(message);
    }
    expect((await daemon.request("/api/backfills/__proto__")).status).toBe(404);
    expect((await daemon.request("/api/dags/days/backfills")).body).toHaveLength(4);
  }, 120_000);
});
