/**
 * Load figures for issue 2 (`npm run bench:load`): full load of a generated 1,000-DAG repository,
 * incremental reloads, the plain-import baseline and the daemon's RSS over many reloads. Prints
 * plain figures with PASS/MISS per target; exits 1 only when a correctness check fails.
 * `--cycles N` changes the number of reload cycles of the RSS figure (default 1,000). Each of those
 * reloads waits for a new loader process to start, so the default run takes several minutes.
 */
import { mkdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { DEFAULT_LOADER_LIMITS, LoaderPool } from "../src/dags/loader/loader-pool.ts";
import {
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

const DAG_COUNT = 1_000;
const ONE_FILE_REPETITIONS = 10;
const HELPER_REPETITIONS = 5;
const TARGET_FULL_LOAD_MS = 3_000;
const TARGET_RELOAD_MS = 300;
const TARGET_RSS_GROWTH_BYTES = 20 * 1024 * 1024;

const { values: flags } = parseArgs({ options: { cycles: { type: "string", default: String(DAG_COUNT) } } });
const cycles = Number(flags.cycles);
if (!Number.isInteger(cycles) || cycles < 1) throw new Error(`--cycles: "${flags.cycles}" is not a count`);

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
  await main();
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

async function main(): Promise<void> {
  console.log(
    `updraft load bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}, ` +
      `loader limits ${JSON.stringify(DEFAULT_LOADER_LIMITS)}, gc ${globalThis.gc ? "exposed" : "NOT exposed"}`,
  );
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

  console.log("\nSummary");
  line("full load ≤ 3 s, cold", `${ms(cold.ms)}  ${passOrMiss(cold.ms <= TARGET_FULL_LOAD_MS)}`);
  line("full load ≤ 3 s, warm", `${ms(warm.ms)}  ${passOrMiss(warm.ms <= TARGET_FULL_LOAD_MS)}`);
  line("1-file reload ≤ 300 ms (warm spare)", `${ms(oneFile)}  ${passOrMiss(oneFile <= TARGET_RELOAD_MS)}`);
  line(
    `RSS growth over ${cycles} reloads ≤ 20 MB`,
    `${mb(growth)}  ${passOrMiss(growth <= TARGET_RSS_GROWTH_BYTES)}`,
  );
  console.log(`  load average at the end: ${loadAverage()}`);
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
