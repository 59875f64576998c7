// Issue #15 point 8: `--pool warehouse=4` in a real `updraft run` with the local executor: 200
// tries of 4 DAGs share the pool; the tasks' own records never show more than 4 at once, the
// status API never shows more than 4 slots used, and every try finishes.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseScrape } from "../metrics/scrape.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { startDaemonProcess } from "./support/daemon-process.ts";

const DAGS = 4;
const TASKS = 50;
const SLOTS = 4;

/** 50 independent tasks in pool warehouse; each appends its start and end (ns) to `record`. */
function pooledDag(id: string, record: string): string {
  const script = `echo "start $(date +%s%N) $$" >> ${record}; sleep 0.1; echo "end $(date +%s%N) $$" >> ${record}`;
  const tasks = Array.from(
    { length: TASKS },
    (_, i) =>
      `pod({ id: "t${i}", image: "sh", pool: "warehouse", command: ["sh", "-c", ${JSON.stringify(script)}] })`,
  );
  return `import { dag, pod } from "updraft";
export default dag({ id: ${JSON.stringify(id)}, schedule: null, tasks: [${tasks.join(", ")}] });
`;
}

interface PoolBody {
  name: string;
  slots: number;
  used: number;
  queued: number;
}

describe("a pool under load", () => {
  const cleanup = useCleanup("file");

  it("never lets more than 4 of 200 queued tries hold the pool, and finishes them all", async () => {
    const dir = await cleanup.tempDir("pool-limit");
    const record = path.join(dir, "record.txt");
    const ids = Array.from({ length: DAGS }, (_, i) => `pooled_${i}`);
    const folders = await daemonFolders(
      cleanup,
      "pool-limit",
      Object.fromEntries(ids.map((id) => [`${id}.ts`, pooledDag(id, record)])),
    );
    const daemon = await startDaemonProcess(cleanup, {
      ...folders,
      extraArgs: ["--executor", "local", "--pool", `warehouse=${SLOTS}`],
    });
    await daemon.waitForDags(ids);
    const runIds: string[] = [];
    for (const id of ids) {
      const triggered = await daemon.post(`/api/dags/${id}/runs`);
      expect(triggered.status, triggered.text).toBe(201);
      runIds.push(triggered.body.runId as string);
    }

    // Sample the status API while the tries run, until every run has finished.
    const samples: PoolBody[] = [];
    const scrapes: Array<{ slots?: number; used?: number; queued?: number }> = [];
    const waitingReasons = new Set<string>();
    let statusPageRow: string | undefined;
    let runPageReason = false;
    await waitFor(
      "every pooled run finished",
      async () => {
        const status = await daemon.request("/api/status");
        const pool = (status.body.pools as PoolBody[]).find((p) => p.name === "warehouse");
        if (pool) samples.push(pool);
        const scrape = parseScrape((await daemon.request("/metrics")).text);
        const labels = { pool: "warehouse" };
        scrapes.push({
          slots: scrape.value("updraft_pool_slots", labels),
          used: scrape.value("updraft_pool_used_slots", labels),
          queued: scrape.value("updraft_pool_queued_tries", labels),
        });
        const runs = await Promise.all(runIds.map((runId) => daemon.run(runId)));
        for (const run of runs)
          for (const t of run.tasks)
            if (t.reason?.startsWith("waiting for pool")) waitingReasons.add(t.reason);
        const waitingRun = runs.find((run) =>
          run.tasks.some((t) => t.reason?.startsWith("waiting for pool")),
        );
        if (waitingRun && !runPageReason) {
          const page = await daemon.request(`/runs/${encodeURIComponent(waitingRun.id)}`);
          runPageReason = page.text.includes("waiting for pool warehouse (");
        }
        if (pool && pool.used > 0 && statusPageRow === undefined)
          statusPageRow = /<tr data-pool="warehouse">[\s\S]*?<\/tr>/.exec(
            (await daemon.request("/")).text,
          )?.[0];
        return runs.every((run) => run.state === "success" || run.state === "failed") ? runs : undefined;
      },
      { everyMs: 100, timeoutMs: 150_000 },
    ).then((runs) => {
      for (const run of runs)
        expect(run.state, JSON.stringify(run.tasks.filter((t) => t.state !== "success"))).toBe("success");
    });

    expect(samples.length).toBeGreaterThan(3);
    // Waiting tries say why, on the API and the run page; the status page lists the pool.
    expect([...waitingReasons]).toContain("waiting for pool warehouse (4/4 used)");
    expect([...waitingReasons].every((r) => r === "waiting for pool warehouse (4/4 used)")).toBe(true);
    expect(runPageReason).toBe(true);
    expect(statusPageRow?.replace(/\s+/g, " ")).toMatch(
      /<td class="mono">warehouse<\/td> <td>4<\/td> <td[^>]*>[0-4]<\/td> <td>\d+<\/td>/,
    );
    expect(Math.max(...samples.map((s) => s.used))).toBeLessThanOrEqual(SLOTS);
    expect(samples.every((s) => s.slots === SLOTS)).toBe(true);
    // Ready tries did wait for the pool (the gate was in play), and some sample saw it full.
    expect(Math.max(...samples.map((s) => s.queued))).toBeGreaterThan(0);
    expect(samples.some((s) => s.used === SLOTS)).toBe(true);

    expect(scrapes.every((s) => s.slots === SLOTS && s.used !== undefined && s.used <= SLOTS)).toBe(true);
    expect(Math.max(...scrapes.map((s) => s.queued ?? 0))).toBeGreaterThan(0);
    expect(scrapes.at(-1)).toEqual({ slots: SLOTS, used: 0, queued: 0 });

    // The tasks' own records: never more than 4 processes between their start and end.
    const events = (await readFile(record, "utf8"))
      .trim()
      .split("\n")
      .map((line) => {
        const [kind, ns] = line.split(" ");
        return { kind, at: BigInt(ns ?? "0") };
      })
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === "end" ? -1 : 1));
    expect(events.filter((e) => e.kind === "start")).toHaveLength(DAGS * TASKS);
    expect(events.filter((e) => e.kind === "end")).toHaveLength(DAGS * TASKS);
    let running = 0;
    let most = 0;
    for (const event of events) {
      running += event.kind === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBeLessThanOrEqual(SLOTS);
    expect(most).toBeGreaterThan(1);
  }, 200_000);
});
