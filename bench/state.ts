/**
 * `npm run bench:state`: what the state directory costs at the limits.
 * - state write time with one DAG at --max-queued-runs (100) queued runs, each with a conf of
 *   --max-conf-bytes (64 KiB): median and p99 of `store.update`, target ≤ 10 ms
 * - the state directory's size after 1,000 and after 10,000 finished runs (logs and outcome records
 *   included) at the default --keep-runs: bounded, so the ratio stays near 1 (BENCH_SKIP_HISTORY=1
 *   skips this part, which takes a minute or two)
 * - issue 17 point 4 at 100,000 finished runs: a transition's write, daemon start to /readyz and its
 *   RSS (bench/lib/history-figures.ts)
 * `BENCH_ONLY=caps|size|history` runs one part. It runs with the daemon's Node flags (it starts itself
 * again with them when started without).
 */
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_MAX_CONF_BYTES, DEFAULT_MAX_QUEUED_RUNS } from "../src/config/limit-flags.ts";
import { dagSchema } from "../src/dags/spec/dag-schema.ts";
import type { Run } from "../src/runs/run-model.ts";
import { newRun } from "../src/scheduler/run-planner.ts";
import { RunStore } from "../src/store/run-store.ts";
import { benchInTempDir, line, mb, median, ms, verdict } from "./lib/figures.ts";
import { rerunWithDaemonNodeFlags } from "./lib/daemon-node-flags.ts";
import { historyFigures } from "./lib/history-figures.ts";

const WRITES = 1000;
const DAGS = 10;

const definitionOf = (id: string) =>
  dagSchema.parse({
    kind: "dag",
    id,
    schedule: null,
    startDate: "2026-01-01",
    tasks: [{ kind: "pod", id: "main", image: "busybox:1.36", command: ["true"] }],
  });

function runOf(dagId: string, index: number, conf: Record<string, unknown>): Run {
  const at = new Date(Date.UTC(2026, 0, 1) + index * 60_000);
  return newRun(definitionOf(dagId), {
    id: `${dagId}__manual__${String(index).padStart(8, "0")}`,
    trigger: "manual",
    logicalDate: at,
    conf,
    commit: null,
    snapshot: "/snapshots/a",
    now: at,
  });
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    total += entry.isDirectory() ? await sizeOf(file) : (await stat(file)).size;
  }
  return total;
}

async function writesAtTheCaps(root: string): Promise<void> {
  const dir = path.join(root, "caps");
  const store = await RunStore.open(dir);
  // A conf of exactly --max-conf-bytes as JSON.
  const conf = { blob: "c".repeat(DEFAULT_MAX_CONF_BYTES - '{"blob":""}'.length) };
  await store.update((state) => {
    for (let i = 0; i < DEFAULT_MAX_QUEUED_RUNS; i++)
      store.addRun(state, runOf("capped", i, structuredClone(conf)));
  });
  const times: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const started = performance.now();
    await store.update((state) => {
      const dag = state.dags.capped;
      if (dag) dag.lastScheduledAt = new Date(i * 1000).toISOString();
      else state.dags.capped = { paused: false, lastScheduledAt: null, skipped: [] };
    });
    times.push(performance.now() - started);
  }
  const stateBytes = (await stat(path.join(dir, "state.json"))).size;
  const p99 = percentile(times, 99);
  line(
    `state write, 1 DAG with ${DEFAULT_MAX_QUEUED_RUNS} queued runs × ${DEFAULT_MAX_CONF_BYTES / 1024} KiB conf (state.json ${mb(stateBytes)})`,
    `median ${ms(median(times))}, p95 ${ms(percentile(times, 95))}, p99 ${ms(p99)}; ${verdict(p99, 10, ms)}`,
  );
}

/** Archives `count` finished runs round-robin over DAGS DAGs, each with a small log and outcome. */
async function finishRuns(store: RunStore, logsDir: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const dagId = `dag_${i % DAGS}`;
    const run = runOf(dagId, i, i % 10 === 0 ? { note: "n".repeat(2000) } : {});
    await store.update((state) => store.addRun(state, run));
    const taskDir = path.join(logsDir, dagId, run.id, "main");
    await mkdir(taskDir, { recursive: true });
    await writeFile(path.join(taskDir, "try-1.log"), `run ${run.id}\n`.repeat(20));
    await writeFile(path.join(taskDir, "try-1.log.outcome.json"), '{"type":"finished","exitCode":0}');
    await writeFile(path.join(taskDir, "try-1.log.pid"), "12345");
    await store.archive({ ...run, state: "success", endedAt: new Date().toISOString() });
  }
}

async function sizeOverManyRuns(root: string): Promise<void> {
  const dir = path.join(root, "history");
  const logsDir = path.join(dir, "logs");
  const store = await RunStore.open(dir, { logsDir });
  const started = performance.now();
  await finishRuns(store, logsDir, 0, 1000);
  const after1k = await sizeOf(dir);
  await finishRuns(store, logsDir, 1000, 9000);
  const after10k = await sizeOf(dir);
  const ratio = after10k / after1k;
  line(`state dir after 1,000 runs (${DAGS} DAGs, --keep-runs 100)`, mb(after1k));
  line(
    `state dir after 10,000 runs (${ms(performance.now() - started)} in all)`,
    `${mb(after10k)}; ratio ${ratio.toFixed(2)} (target ≤ 1.10: ${ratio <= 1.1 ? "PASS" : "MISS"})`,
  );
}

// The store's writes run here, in this process: with the daemon's Node flags, as a user's transition runs.
rerunWithDaemonNodeFlags();

await benchInTempDir("bench:state", async (root) => {
  const only = process.env.BENCH_ONLY;
  if (only === undefined || only === "caps") await writesAtTheCaps(root);
  if ((only === undefined || only === "size") && !process.env.BENCH_SKIP_HISTORY)
    await sizeOverManyRuns(root);
  if (only === undefined || only === "history") await historyFigures(root);
});
