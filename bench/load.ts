/**
 * Load figures (`npm run bench:load`). Issue 17, 10,000 DAGs: the daemon's spawn → /readyz cold
 * and its RSS after the load, the plain-import baseline of the same modules, 1-file reloads, and
 * the per-stage table at 1,000 and 10,000 DAGs with their ratio. Issue 2, 1,000 DAGs: full load,
 * incremental reloads, the plain-import baseline and the daemon's RSS over many reloads. Prints
 * plain figures with PASS/MISS per target; exits 1 only when a correctness check fails.
 * `BENCH_ONLY=10k` or `BENCH_ONLY=1k` runs one part (10k: about 2 minutes). `--cycles N` changes the
 * number of reload cycles of the 1k RSS figure (default 1,000; each waits for a new loader process,
 * so the default takes several minutes); `BENCH_CYCLES=0` skips that figure. With BENCH_ONLY=10k,
 * `BENCH_LOAD_DAEMON_ONLY=1` stops after the daemon's figures, and `BENCH_LOAD_CPU_PROF=<dir>` has
 * that daemon write a CPU profile into <dir>.
 */
import { mkdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { DEFAULT_LOADER_LIMITS, LoaderPool } from "../src/dags/loader/loader-pool.ts";
import {
  type Daemon,
  fullLoad,
  type PoolFactory,
  reloadCycles,
  reloadHotHelper,
  reloadOneDag,
} from "./lib/daemon-loads.ts";
import { type DagRepo, generateDagRepo } from "./lib/dag-repo.ts";
import { Checks, line, mb, mean, median, ms, rangeOf, timed, verdict } from "./lib/figures.ts";
import { type BaselineRun, runImportBaseline } from "./lib/import-baseline.ts";
import { loadBreakdown } from "./lib/load-breakdown.ts";
import { daemonFullLoad, oneFileReloads, printStageTable, stagedLoad } from "./lib/load-scale.ts";

const DAG_COUNT = 1_000;
const ONE_FILE_REPETITIONS = 10;
const HELPER_REPETITIONS = 5;
const TARGET_FULL_LOAD_MS = 3_000;
const TARGET_RELOAD_MS = 300;
const TARGET_RSS_GROWTH_BYTES = 20 * 1024 * 1024;

const SCALE_COUNT = 10_000;
const SCALE_TASKS_PER_DAG = 4;
const SCALE_RELOADS = 5;
const TARGET_SCALE_LOAD_MS = 12_000;
const TARGET_SCALE_RELOAD_MS = 100;
const TARGET_SCALE_RSS_BYTES = 600 * 1024 * 1024;
const ONLY = process.env.BENCH_ONLY ?? "";
if (!["", "1k", "10k"].includes(ONLY)) throw new Error(`BENCH_ONLY: "${ONLY}" is not 1k or 10k`);

const { values: flags } = parseArgs({
  options: { cycles: { type: "string", default: process.env.BENCH_CYCLES ?? String(DAG_COUNT) } },
});
const cycles = Number(flags.cycles);
if (!Number.isInteger(cycles) || cycles < 0) throw new Error(`--cycles: "${flags.cycles}" is not a count`);

const checks = new Checks();
const pools: LoaderPool[] = [];
const newPool: PoolFactory = (concurrency = DEFAULT_LOADER_LIMITS.concurrency, prewarm = true) => {
  const pool = new LoaderPool({ ...DEFAULT_LOADER_LIMITS, concurrency }, { prewarm });
  pools.push(pool);
  return pool;
};
const work = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-"));
// The loader runtime is built under TMPDIR (loader-runtime.ts): a private TMPDIR makes the first
// load honestly cold (as in a daemon started after an upgrade) and leaves nothing behind.
const inheritedTmpdir = process.env.TMPDIR;
process.env.TMPDIR = path.join(work, "tmp-loader");
mkdirSync(process.env.TMPDIR);
const removeWork = () => rmSync(work, { recursive: true, force: true });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    removeWork();
    process.exit(130);
  });
}

try {
  console.log(
    `updraft load bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}, ` +
      `loader limits ${JSON.stringify(DEFAULT_LOADER_LIMITS)}, gc ${globalThis.gc ? "exposed" : "NOT exposed"}`,
  );
  // 10k first: its cold figures need a process in which nothing was loaded or built yet.
  if (ONLY !== "1k") await scale();
  if (ONLY !== "10k") await main();
} finally {
  await Promise.all(pools.map((pool) => pool.close()));
  if (inheritedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = inheritedTmpdir;
  removeWork();
}
if (checks.failures.length > 0) {
  console.log(`\nFAILED checks:\n${checks.failures.map((failure) => `  - ${failure}`).join("\n")}`);
  process.exitCode = 1;
}

async function scale(): Promise<void> {
  console.log(`\n=== ${SCALE_COUNT.toLocaleString("en-US")} DAGs (issue 17) ===`);
  const generated = await timed(async () => ({
    small: await generateDagRepo(path.join(work, "scale-1k"), DAG_COUNT, {
      tasksPerDag: SCALE_TASKS_PER_DAG,
    }),
    large: await generateDagRepo(path.join(work, "scale-10k"), SCALE_COUNT, {
      tasksPerDag: SCALE_TASKS_PER_DAG,
    }),
  }));
  const { small, large } = generated.value;
  console.log(
    `repositories: ${small.dags.length} and ${large.dags.length} DAG modules with ${small.tasks} and ` +
      `${large.tasks} pod tasks, ${large.helpers.length} helpers, teams/<team>/<domain>[/daily[/eu]]/; ` +
      `${large.hotImporters.length} of the 10k import ${large.hotHelper}; generated in ${ms(generated.ms)}`,
  );
  const baselineDirs = { workDir: work, tmpdir: path.join(work, "tmp-scale-baseline") };
  mkdirSync(baselineDirs.tmpdir);

  console.log(
    `\nFull load cold: \`updraft run --dags\` spawned → /readyz 200 (new state dir; CLI bundle and loader runtime built by a start before)`,
  );
  const daemon = await daemonFullLoad(
    large,
    { tmpdir: path.join(work, "tmp-scale-daemon"), stateDir: path.join(work, "state-scale") },
    checks,
  );
  const loadAfter = loadAverage();
  line(
    `daemon, ${large.dags.length} DAGs`,
    `${ms(daemon.readyMs)}  ${verdict(daemon.readyMs, TARGET_SCALE_LOAD_MS, ms)}  (load average ${loadAfter})`,
  );
  line(
    "daemon RSS at /readyz; 3 s later; peak",
    `${mb(daemon.rssBytes)}; ${mb(daemon.settledRssBytes)}; ${mb(daemon.peakRssBytes)}  ` +
      `${verdict(daemon.settledRssBytes, TARGET_SCALE_RSS_BYTES, mb)}`,
  );
  const { selfMs, childrenMs, esbuildMs } = daemon.cpu;
  line(
    "daemon CPU to /readyz: its own + its reaped children's",
    `${ms(selfMs)} + ${ms(childrenMs)} = ${ms(selfMs + childrenMs)} ` +
      `(over 2 cores: ≥ ${ms((selfMs + childrenMs) / 2)} of wall time)`,
  );
  line(
    "  and its esbuild service's (compiling every module)",
    `${ms(esbuildMs)}  (all three over 2 cores: ≥ ${ms((selfMs + childrenMs + esbuildMs) / 2)})`,
  );
  // BENCH_LOAD_DAEMON_ONLY=1: the daemon's figures only (about 40 s), for profiling and A/B runs.
  if (process.env.BENCH_LOAD_DAEMON_ONLY === "1") return;
  const files = large.dags.map((dag) => path.join(large.root, dag.file));
  const baseline = await runImportBaseline(files, baselineDirs);
  line("baseline: import() of the same modules, one fresh process, cold", baselineDetail(baseline));
  line(
    "ratio daemon full load / baseline",
    `${(daemon.readyMs / baseline.wallMs).toFixed(2)}x  (load average ${loadAverage()})`,
  );

  console.log("\nPer stage, in this process (pool as the daemon's: prewarm, Pod check)");
  const smallLoad = await stagedLoad(small, pools, checks, baselineDirs);
  const largeLoad = await stagedLoad(large, pools, checks, baselineDirs);
  printStageTable(smallLoad, largeLoad);
  await smallLoad.pool.close();
  line("load average", loadAverage());

  console.log(`\nIncremental reload at ${large.dags.length} DAGs (in this process, warm spare)`);
  const reloads = await oneFileReloads(largeLoad, large, SCALE_RELOADS, checks);
  const reload = median(reloads);
  line(
    `after changing 1 DAG file, median of ${SCALE_RELOADS}`,
    `${ms(reload)}  ${verdict(reload, TARGET_SCALE_RELOAD_MS, ms)}  (range ${rangeOf(reloads)}; load average ${loadAverage()})`,
  );
  await largeLoad.pool.close();

  console.log("\nSummary, 10,000 DAGs");
  line(
    "full load ≤ 12 s cold (daemon spawn → /readyz)",
    `${ms(daemon.readyMs)}  ${passOrMiss(daemon.readyMs <= TARGET_SCALE_LOAD_MS)}`,
  );
  line("1-file reload ≤ 100 ms", `${ms(reload)}  ${passOrMiss(reload <= TARGET_SCALE_RELOAD_MS)}`);
  line(
    "daemon RSS after load ≤ 600 MB",
    `${mb(daemon.settledRssBytes)}  ${passOrMiss(daemon.settledRssBytes <= TARGET_SCALE_RSS_BYTES)}`,
  );
  line("load average", loadAverage());
}

async function main(): Promise<void> {
  console.log(`\n=== ${DAG_COUNT.toLocaleString("en-US")} DAGs (issue 2) ===`);
  const generated = await timed(() => generateDagRepo(path.join(work, "dags"), DAG_COUNT));
  const repo = generated.value;
  console.log(
    `repository: ${repo.dags.length} DAG modules with ${repo.tasks} pod tasks and ${repo.helpers.length} helpers ` +
      `under teams/<team>/<domain>[/daily[/eu]]/ (3-5 folder levels); ${repo.hotImporters.length} modules import ` +
      `${repo.hotHelper}; generated in ${ms(generated.ms)}`,
  );

  console.log("\nFull load (fresh LoaderPool with prewarm, timed from its construction to the DAG set)");
  const cold = await coldFullLoad(repo);
  line(
    "cold: first load of this process (runtime built)",
    `${ms(cold.ms)}  ${verdict(cold.ms, TARGET_FULL_LOAD_MS, ms)}`,
  );
  line("", cold.cpu);
  const warm = await fullLoad(repo, newPool, checks);
  line(
    "warm: second full load, new pool (runtime reused)",
    `${ms(warm.ms)}  ${verdict(warm.ms, TARGET_FULL_LOAD_MS, ms)}`,
  );
  line("", warm.cpu);
  const daemon = warm.daemon;

  console.log("\nBaseline: import() of the same files in one fresh `node --import tsx` process");
  const files = repo.dags.map((dag) => path.join(repo.root, dag.file));
  const baselineOptions = { workDir: work, tmpdir: path.join(work, "tmp-baseline") };
  mkdirSync(baselineOptions.tmpdir);
  const coldBaseline = await runImportBaseline(files, baselineOptions);
  const warmBaseline = await runImportBaseline(files, baselineOptions);
  line("cold: spawn to exit", baselineDetail(coldBaseline));
  line("warm: spawn to exit", baselineDetail(warmBaseline));
  line("ratio full load / baseline, cold", `${(cold.ms / coldBaseline.wallMs).toFixed(2)}x`);
  line("ratio full load / baseline, warm", `${(warm.ms / warmBaseline.wallMs).toFixed(2)}x`);

  console.log("\nWhere the time goes");
  const { startupMs } = await loadBreakdown(repo, daemon, newPool, baselineOptions);
  const spareWaitMs = Math.max(1_500, 3 * startupMs);

  console.log(`\nIncremental reloads (the warm spare given ${ms(spareWaitMs)} to start before each)`);
  const oneFileTimes: number[] = [];
  for (let revision = 1; revision <= ONE_FILE_REPETITIONS; revision += 1) {
    await sleep(spareWaitMs);
    oneFileTimes.push(await reloadOneDag(daemon, repo, (revision * 97) % repo.dags.length, revision, checks));
  }
  const oneFile = median(oneFileTimes);
  line(
    `after changing 1 DAG file, median of ${ONE_FILE_REPETITIONS}`,
    `${ms(oneFile)}  ${verdict(oneFile, TARGET_RELOAD_MS, ms)}  (range ${rangeOf(oneFileTimes)})`,
  );
  const helperTimes: number[] = [];
  for (let revision = 1; revision <= HELPER_REPETITIONS; revision += 1) {
    await sleep(spareWaitMs);
    helperTimes.push(await reloadHotHelper(daemon, repo, revision, checks));
  }
  line(
    `after changing the helper of ${repo.hotImporters.length} DAGs, median of ${HELPER_REPETITIONS}`,
    `${ms(median(helperTimes))}  (range ${rangeOf(helperTimes)})`,
  );
  line(
    "checks: evaluated 1 and 10 modules, new content in set.dags",
    checks.failures.length ? "FAILED" : "ok",
  );

  if (cycles > 0) await memoryOverReloads(daemon, repo);

  console.log("\nSummary");
  line("full load ≤ 3 s, cold", `${ms(cold.ms)}  ${passOrMiss(cold.ms <= TARGET_FULL_LOAD_MS)}`);
  line("full load ≤ 3 s, warm", `${ms(warm.ms)}  ${passOrMiss(warm.ms <= TARGET_FULL_LOAD_MS)}`);
  line("1-file reload ≤ 300 ms (warm spare)", `${ms(oneFile)}  ${passOrMiss(oneFile <= TARGET_RELOAD_MS)}`);
  console.log(`  load average at the end: ${loadAverage()}`);
}

async function memoryOverReloads(daemon: Daemon, repo: DagRepo): Promise<void> {
  console.log(`\nMemory of this (daemon) process over ${cycles} back-to-back 1-file reload cycles`);
  const memory = await reloadCycles(daemon, repo, cycles, checks);
  const { before, after } = memory;
  const growth = after.rss - before.rss;
  line("RSS growth", `${mb(growth)}  ${verdict(growth, TARGET_RSS_GROWTH_BYTES, mb)}`);
  // V8 grows the young generation with the bytes that survive scavenges, up to a fixed limit
  // (2 x 16 MB here), and keeps its pages: shown apart so that a leak would not hide behind it.
  line(
    "  RSS growth not counting the young generation's (information)",
    mb(growth - (after.newSpace - before.newSpace)),
  );
  line("  of which JS heap used", mb(after.heapUsed - before.heapUsed));
  line(
    "  of which JS heap reserved, unused",
    mb(after.heapTotal - after.heapUsed - (before.heapTotal - before.heapUsed)),
  );
  line("    of which young generation (reserved)", mb(after.newSpace - before.newSpace));
  line("  of which outside the JS heap", mb(after.rss - after.heapTotal - (before.rss - before.heapTotal)));
  line(
    "    external / of it array buffers",
    `${mb(after.external - before.external)} / ${mb(after.arrayBuffers - before.arrayBuffers)}`,
  );
  line(
    "reload cycle, back to back (waits for a loader to start)",
    `mean ${ms(mean(memory.cycleTimes))}, median ${ms(median(memory.cycleTimes))}`,
  );
  line(
    `RSS growth over ${cycles} reloads ≤ 20 MB`,
    `${mb(growth)}  ${passOrMiss(growth <= TARGET_RSS_GROWTH_BYTES)}`,
  );
}

/** The first full load; its pool and set are dropped at once, so only the figures outlive it. */
async function coldFullLoad(repo: DagRepo): Promise<{ ms: number; cpu: string }> {
  const { ms: elapsed, cpu, daemon } = await fullLoad(repo, newPool, checks);
  await daemon.pool.close();
  return { ms: elapsed, cpu };
}

function baselineDetail(run: BaselineRun): string {
  return `${ms(run.wallMs)} (start-up ${ms(run.startupMs)}, imports ${ms(run.importMs)}; ${run.cpu})`;
}

function passOrMiss(passed: boolean): string {
  return passed ? "PASS" : "MISS";
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
}
