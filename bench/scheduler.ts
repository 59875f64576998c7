/**
 * `npm run bench:scheduler`: scheduler figures with a no-op executor, printed once.
 * - lag: 1,000 and 10,000 DAGs all due at the same second → due time → executor start call,
 *   p50/p99/max (issue #17: p99 ≤ 25 ms and ≤ 250 ms), with the load average beside each
 * - throughput: task transitions per second while a backlog of 1,000 runs drains
 * - state write time per transition with 10, 1,000 and 10,000 finished runs in history (BENCH_ONLY=write)
 * - RSS
 * - backfill: planning 8,760 hourly dates, and other DAGs' lag while it runs (bench/lib/backfill-bench.ts)
 */
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DagRegistry } from "../src/dags/dag-registry.ts";
import type { DagSet } from "../src/dags/dag-set.ts";
import { dagSchema } from "../src/dags/spec/dag-schema.ts";
import type { Executor, ExecutorEvent, TaskKey, TaskLaunch } from "../src/executor/executor.ts";
import { Heartbeat } from "../src/health/heartbeat.ts";
import { createLogger } from "../src/log/logger.ts";
import { createDaemonEvents } from "../src/events/daemon-events.ts";
import type { Run } from "../src/runs/run-model.ts";
import { newRun } from "../src/scheduler/run-planner.ts";
import { Scheduler } from "../src/scheduler/scheduler.ts";
import { HeldAppendWriter, type StateWriter } from "../src/store/durable-write.ts";
import { RunStore } from "../src/store/run-store.ts";
import { backfillBenchmark } from "./lib/backfill-bench.ts";
import { rerunWithDaemonNodeFlags, shebangFlags } from "./lib/daemon-node-flags.ts";

/**
 * DAGs due at once → issue #17's p99 target for due → executor start. The scheduler's clock starts
 * `leadMs` before the due second: its first tick (every DAG's first state) must end by then.
 */
const LAG_TARGETS = [
  { dags: 1000, p99Ms: 25, leadMs: 1500 },
  { dags: 10_000, p99Ms: 250, leadMs: 5000 },
];
const silent = createLogger({ secrets: [], level: "silent" });

/** Starts nothing: reports each try running, then finished, on the next turns of the event loop. */
class NoopExecutor implements Executor {
  readonly name = "kubernetes" as const;
  readonly starts: Array<{ key: TaskKey; at: number }> = [];
  readonly #listeners = new Set<(event: ExecutorEvent) => void>();
  constructor(private readonly clock: () => number) {}
  async start(launch: TaskLaunch): Promise<void> {
    this.starts.push({ key: launch, at: this.clock() });
    const key = { dagId: launch.dagId, runId: launch.runId, taskId: launch.taskId, try: launch.try };
    setImmediate(() => {
      this.#emit({ type: "running", key, podName: null });
      setImmediate(() => this.#emit({ type: "finished", key, exitCode: 0, result: { present: false } }));
    });
  }
  async cancel(): Promise<void> {}
  subscribe(listener: (event: ExecutorEvent) => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async close(): Promise<void> {}
  #emit(event: ExecutorEvent) {
    for (const listener of this.#listeners) listener(event);
  }
}

function dagSet(schedule: string | null, count: number, tasks: number): DagSet {
  const dags = Array.from({ length: count }, (_, i) => ({
    file: `dag_${i}.ts`,
    line: 1,
    dag: dagSchema.parse({
      kind: "dag",
      id: `dag_${i}`,
      schedule,
      catchup: false,
      tasks: Array.from({ length: tasks }, (_, t) => ({
        kind: "pod",
        id: `t${t}`,
        image: "busybox",
        command: ["true"],
        dependsOn: t === 0 ? [] : [`t${t - 1}`],
      })),
    }),
  }));
  return { root: "/bench", dags, errors: [], modules: new Map(), scans: new Map() };
}

async function setup(
  dir: string,
  clock: () => number,
  options: { keepRuns?: number; writer?: StateWriter } = {},
) {
  const store = await RunStore.open(dir, options);
  const registry = new DagRegistry();
  const executor = new NoopExecutor(clock);
  const scheduler = new Scheduler({
    store,
    registry,
    executor,
    logsDir: path.join(dir, "logs"),
    log: silent,
    heartbeat: new Heartbeat("bench", 60_000),
    events: createDaemonEvents(),
    now: () => new Date(clock()),
  });
  return { store, registry, executor, scheduler };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("benchmark condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function lagBenchmark(dir: string, count: number, leadMs: number): Promise<number[]> {
  // The scheduler's clock is set leadMs before the next whole minute when it starts, so every
  // DAG is due at once; the DAGs are parsed and registered before that, as a running daemon's are.
  let offset = 0;
  const clock = () => Date.now() + offset;
  const set = dagSet("* * * * *", count, 1);
  const { registry, executor, scheduler } = await setup(dir, clock);
  registry.apply(set, { commit: null, snapshot: "/bench", prefix: "" });
  const realStart = Date.now();
  const nextMinute = Math.ceil((realStart + 60_000) / 60_000) * 60_000;
  offset = nextMinute - leadMs - realStart;
  await scheduler.start();
  // After the first tick: when it overran the due second it would be measured too.
  await scheduler.serially(async () => undefined);
  if (clock() >= nextMinute) throw new Error(`the first tick of ${count} DAGs took longer than ${leadMs} ms`);
  await waitUntil(() => executor.starts.length >= count, 120_000);
  await scheduler.stop();
  return executor.starts.map((start) => start.at - nextMinute).sort((a, b) => a - b);
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");
}

/**
 * Counts the state and history writes the store makes (their sizes), for the raw floor, and writes
 * them as the store's own default writer does (the journal appended through a held descriptor).
 */
class CountingWriter implements StateWriter {
  readonly sizes: number[] = [];
  readonly #writer = new HeldAppendWriter();
  async write(file: string, text: string): Promise<void> {
    this.sizes.push(Buffer.byteLength(text));
    await this.#writer.write(file, text);
  }
  async append(file: string, text: string): Promise<void> {
    this.sizes.push(Buffer.byteLength(text));
    await this.#writer.append(file, text);
  }
}

/** The raw floor: as many fsync'd appends to one file, of the same sizes, one after another. */
async function rawAppends(file: string, sizes: readonly number[]): Promise<number> {
  const handle = await open(file, "a", 0o600);
  const started = performance.now();
  try {
    for (const size of sizes) {
      await handle.write(Buffer.alloc(size, 120));
      await handle.sync();
    }
  } finally {
    await handle.close();
  }
  return (performance.now() - started) / 1000;
}

async function throughputBenchmark(
  dir: string,
): Promise<{ transitions: number; seconds: number; writes: number[]; floorSeconds: number }> {
  const writer = new CountingWriter();
  const { store, registry, executor, scheduler } = await setup(dir, Date.now, { keepRuns: 2000, writer });
  const set = dagSet(null, 10, 3);
  registry.apply(set, { commit: null, snapshot: "/bench", prefix: "" });
  const now = new Date();
  const definitions = set.dags.map(({ dag }) => ({ ...dag, maxActiveRuns: 1000 }));
  await store.update((state) => {
    for (let i = 0; i < 1000; i++) {
      const definition = definitions[i % 10];
      if (!definition) continue;
      state.dags[definition.id] = { paused: false, lastScheduledAt: null, skipped: [] };
      const run = newRun(definition, {
        id: `backlog_${i}`,
        trigger: "manual",
        logicalDate: new Date(now.getTime() + i),
        conf: {},
        commit: null,
        snapshot: "/bench",
        now,
      });
      // As the scheduler adds runs: the definition stored once per DAG, not in every run.
      store.addRun(state, run);
    }
  });
  writer.sizes.length = 0;
  const started = performance.now();
  await scheduler.start();
  await waitUntil(() => store.activeRuns().length === 0, 300_000);
  const seconds = (performance.now() - started) / 1000;
  await scheduler.stop();
  const writes = [...writer.sizes];
  const floorSeconds = await rawAppends(path.join(dir, "raw-appends"), writes);
  // queued, running, success per task instance.
  return { transitions: executor.starts.length * 3, seconds, writes, floorSeconds };
}

/** Finished runs archived per `store.archiveAll` while the write-cost history is filled. */
const ARCHIVE_BATCH = 1000;

async function writeCostBenchmark(dir: string, finishedRuns: number): Promise<number> {
  const store = await RunStore.open(dir, { keepRuns: finishedRuns });
  const definition = dagSet(null, 1, 3).dags[0]?.dag;
  if (!definition) throw new Error("no fixture");
  // The history is filled in batches (one state write and one history write each), not run by run:
  // 10,000 single archives took minutes before the figure was even measured.
  for (let first = 0; first < finishedRuns; first += ARCHIVE_BATCH) {
    const batch: Run[] = [];
    for (let i = first; i < Math.min(finishedRuns, first + ARCHIVE_BATCH); i += 1) {
      const run: Run = newRun(definition, {
        id: `old_${i}`,
        trigger: "manual",
        logicalDate: new Date(i * 1000),
        conf: {},
        commit: null,
        snapshot: "/bench",
        now: new Date(),
      });
      run.state = "success";
      batch.push(run);
    }
    await store.update((state) => {
      for (const run of batch) state.runs[run.id] = run;
    });
    await store.archiveAll(batch);
  }
  const active = newRun(definition, {
    id: "active",
    trigger: "manual",
    logicalDate: new Date(),
    conf: {},
    commit: null,
    snapshot: "/bench",
    now: new Date(),
  });
  await store.update((state) => {
    state.runs.active = active;
  });
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await store.update((state) => {
      const task = state.runs.active?.tasks[0];
      if (task) task.state = i % 2 === 0 ? "running" : "queued";
    });
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return percentile(samples, 50);
}

// The scheduler and its store run here, in this process: with the daemon's Node flags, as a daemon's do.
rerunWithDaemonNodeFlags();
console.log(`node flags: ${shebangFlags.join(" ")} (the daemon's, from its bin's shebang)`);
const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-scheduler-"));
try {
  const rssBefore = process.memoryUsage().rss;
  const only = process.env.BENCH_ONLY;
  // BENCH_LAG_DAGS=1000 measures only that size.
  const lagSizes = LAG_TARGETS.filter(({ dags }) =>
    [undefined, String(dags)].includes(process.env.BENCH_LAG_DAGS),
  );
  // BENCH_LAG_ROUNDS=N measures each size N times (a line each): one round of 1,000 DAGs is ~100 ms
  // of work, and a few ms of another process on the 2 cores moves its p99.
  const rounds = Math.max(1, Number(process.env.BENCH_LAG_ROUNDS ?? 1) || 1);
  const lagRuns = lagSizes.flatMap((size) =>
    Array.from({ length: rounds }, (_, round) => ({ ...size, round })),
  );
  const lagOff = only === "throughput" || only === "backfill" || only === "write";
  for (const { dags, p99Ms, leadMs, round } of lagOff ? [] : lagRuns) {
    const lag = await lagBenchmark(path.join(work, `lag-${dags}-${round}`), dags, leadMs);
    const p99 = percentile(lag, 99);
    console.log(
      `lag (${dags} DAGs due at the same second, due -> executor start): p50 ${percentile(lag, 50)} ms, p99 ${p99} ms, max ${lag.at(-1)} ms   target p99 <= ${p99Ms} ms: ${p99 <= p99Ms ? "PASS" : "MISS"}   (load average ${loadAverage()})`,
    );
  }
  if (only === "lag") process.exit(0);
  if (only !== "backfill" && only !== "write") {
    const throughput = await throughputBenchmark(path.join(work, "throughput"));
    const rate = throughput.transitions / throughput.seconds;
    const bytes = throughput.writes.reduce((sum, size) => sum + size, 0);
    console.log(
      `throughput (1,000-run backlog, 3 tasks each): ${Math.round(rate)} task transitions/s (${throughput.transitions} in ${throughput.seconds.toFixed(2)} s, ${throughput.writes.length} durable writes, ${(bytes / 2 ** 20).toFixed(1)} MB)   target >= 5,000/s: ${rate >= 5000 ? "PASS" : "MISS"}   raw floor (the same writes as fsync'd appends): ${throughput.floorSeconds.toFixed(2)} s, ratio ${(throughput.seconds / throughput.floorSeconds).toFixed(2)}x   (load average ${loadAverage()})`,
    );
    if (only === "throughput") process.exit(0);
  }
  if (only !== "backfill") {
    const costs: Record<number, number> = {};
    for (const history of [10, 1000, 10000]) {
      costs[history] = await writeCostBenchmark(path.join(work, `write-${history}`), history);
      console.log(
        `state write per transition with ${history} finished runs in history: median ${costs[history]?.toFixed(3)} ms`,
      );
    }
    const ratio = (costs[10000] ?? 0) / (costs[10] ?? 1);
    console.log(
      `write time ratio 10,000 vs 10 finished runs: ${ratio.toFixed(2)}x   target <= 2x: ${ratio <= 2 ? "PASS" : "MISS"}`,
    );
    if (only === "write") process.exit(0);
  }
  await backfillBenchmark({ setup, dagSet, percentile, waitUntil }, path.join(work, "backfill"));
  console.log(
    `RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MB at start, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB at end`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
