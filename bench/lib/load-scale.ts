import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { type LoadStats, loadDagSet } from "../../src/dags/dag-set-loader.ts";
import { DEFAULT_LOADER_LIMITS, LoaderPool, type LoadTimings } from "../../src/dags/loader/loader-pool.ts";
import { taskPodCheck } from "../../src/kubernetes/task-pod-check.ts";
import {
  CLI,
  type DaemonProcess,
  pollUntil,
  type StatusBody,
  startDaemonProcess,
  waitReady,
} from "./daemon-process.ts";
import { shebangFlags } from "./daemon-node-flags.ts";
import { type DagRepo, dagDescription, reviseDag } from "./dag-repo.ts";
import { type Checks, line, mb, median, ms, timed } from "./figures.ts";
import { runImportBaseline } from "./import-baseline.ts";

/** One full load in this process through a pool set up as the daemon's, stage by stage. */
export interface StagedLoad {
  size: number;
  totalMs: number;
  stats: LoadStats;
  timings: LoadTimings;
  applyMs: number;
  /** JSON encode + decode of every module's result (what crosses the loader channel). */
  ipcMs: number;
  ipcBytes: number;
  /** zod validation of every DAG in one process (bench/lib/import-all.mjs), as a loader does it. */
  validateMs: number;
  set: DagSet;
  pool: LoaderPool;
}

/** A LoaderPool configured as the daemon's (prewarm, the Pod check of each task). */
export function daemonPool(pools: LoaderPool[]): LoaderPool {
  const checkResult = taskPodCheck({ template: undefined, namespace: "default" });
  const pool = new LoaderPool(DEFAULT_LOADER_LIMITS, { prewarm: true, checkResult });
  pools.push(pool);
  return pool;
}

const APPLIES = 5;

/** Full load of `repo` from a new pool, then the registry apply, timed per stage. */
export async function stagedLoad(
  repo: DagRepo,
  pools: LoaderPool[],
  checks: Checks,
  baseline: { workDir: string; tmpdir: string },
): Promise<StagedLoad> {
  const started = performance.now();
  const pool = daemonPool(pools);
  const { set, stats } = await loadDagSet(pool, repo.root);
  const totalMs = performance.now() - started;
  const timings = { ...pool.lastTimings };
  // The median of 5 applies, each to a new registry: one apply is 1 ms at 1,000 DAGs, where a
  // single scavenge decides the ratio.
  const applies = [];
  for (let i = 0; i < APPLIES; i++)
    applies.push(
      await timed(async () =>
        new DagRegistry().apply(set, { commit: null, snapshot: repo.root, prefix: "" }),
      ),
    );
  const apply = applies[0] as (typeof applies)[number];
  checks.expect(
    set.dags.length === repo.dags.length &&
      set.errors.length === 0 &&
      apply.value.added.length === set.dags.length,
    () =>
      `${repo.dags.length} DAGs: loaded ${set.dags.length}, ${set.errors.length} errors, applied ${apply.value.added.length}`,
  );
  const results = [...set.modules.values()];
  const ipc = await timed(async () => {
    const text = JSON.stringify(results);
    JSON.parse(text);
    return text.length;
  });
  const files = repo.dags.map((dag) => path.join(repo.root, dag.file));
  const validation = await runImportBaseline(files, { ...baseline, validate: true });
  return {
    size: repo.dags.length,
    totalMs,
    stats,
    timings,
    applyMs: median(applies.map(({ ms }) => ms)),
    ipcMs: ipc.ms,
    ipcBytes: ipc.value,
    validateMs: validation.validateMs ?? Number.NaN,
    set,
    pool,
  };
}

/** Prints each stage at both sizes and the ratio (linear = the size ratio); flags superlinear ones. */
export function printStageTable(small: StagedLoad, large: StagedLoad): void {
  const linear = large.size / small.size;
  const rows: Array<[string, (load: StagedLoad) => number]> = [
    ["discovery (walk the folder)", (load) => load.stats.stages.discovery],
    ["import scan (read + scan every file)", (load) => load.stats.stages.scan],
    ["loader processes (compile, evaluate, validate), wall", (load) => load.stats.stages.loader],
    ["  daemon: validation of the answers (zod)", (load) => load.timings.messageCheckMs],
    ["  daemon: Pod check of every task", (load) => load.timings.resultCheckMs],
    ["loader IPC payload, JSON encode + decode", (load) => load.ipcMs],
    ["validation (zod, all DAGs, one process)", (load) => load.validateMs],
    ["assemble the DAG set", (load) => load.stats.stages.assemble],
    ["registry apply (median of 5)", (load) => load.applyMs],
    ["full load (pool construction → DAG set)", (load) => load.totalMs],
  ];
  console.log(
    `  ${"stage".padEnd(58)} ${String(small.size).padStart(9)} ${String(large.size).padStart(9)}   ratio (linear = ${linear})`,
  );
  for (const [label, figure] of rows) {
    const a = figure(small);
    const b = figure(large);
    const ratio = b / a;
    const flag = ratio > linear * 1.2 ? "  SUPERLINEAR" : "";
    console.log(
      `  ${label.padEnd(58)} ${ms(a).padStart(9)} ${ms(b).padStart(9)}   ${ratio.toFixed(1)}${flag}`,
    );
  }
  line(
    "IPC payload",
    `${mb(small.ipcBytes)} / ${mb(large.ipcBytes)} (${small.timings.messages} / ${large.timings.messages} answers)`,
  );
}

/** Median of `repetitions` 1-file reloads (a different module each time), the spare given time to start. */
export async function oneFileReloads(
  load: StagedLoad,
  repo: DagRepo,
  repetitions: number,
  checks: Checks,
): Promise<number[]> {
  const times: number[] = [];
  let set = load.set;
  for (let revision = 1; revision <= repetitions; revision += 1) {
    await sleep(1_500);
    const index = (revision * 997) % repo.dags.length;
    const dag = await reviseDag(repo, index, revision);
    const reload = await timed(() =>
      loadDagSet(load.pool, repo.root, { previous: set, changedFiles: [dag.file] }),
    );
    set = reload.value.set;
    const description = set.dags.find((loaded) => loaded.dag.id === dag.id)?.dag.description;
    checks.expect(
      reload.value.stats.evaluated === 1 && description === dagDescription(index, revision),
      () =>
        `1-file reload of ${dag.file}: evaluated ${reload.value.stats.evaluated}, description ${description}`,
    );
    times.push(reload.ms);
  }
  return times;
}

/** The daemon as users start it, on `repo` in local-folder mode: spawn → /readyz and its RSS then. */
export async function daemonFullLoad(
  repo: DagRepo,
  dirs: { tmpdir: string; stateDir: string },
  checks: Checks,
): Promise<{
  readyMs: number;
  rssBytes: number;
  peakRssBytes: number;
  settledRssBytes: number;
  /** CPU seconds to /readyz: the daemon's own, and its reaped children's (loaders, esbuild). */
  cpu: { selfMs: number; childrenMs: number; esbuildMs: number };
}> {
  await mkdir(dirs.stateDir, { recursive: true });
  const env = { ...process.env, TMPDIR: dirs.tmpdir };
  // Builds the CLI bundle and the loader runtime (once per install) with the example DAGs, unmeasured.
  const examples = new URL("../../dags", import.meta.url).pathname;
  const warmState = `${dirs.stateDir}-warm-up`;
  const warmUp = await startDaemonProcess(
    ["--dags", examples, "--executor", "local", "--state-dir", warmState],
    env,
    180_000,
    { cli: CLI, nodeFlags: shebangFlags },
  );
  await waitReady(warmUp).finally(() => warmUp.stop());
  // BENCH_LOAD_CPU_PROF=<dir>: the measured daemon writes a CPU profile there when it stops.
  const profileDir = process.env.BENCH_LOAD_CPU_PROF;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  // BENCH_LOAD_NODE_FLAGS="...": more Node flags for the measured daemon (A/B runs of a V8 flag).
  const extraFlags = (process.env.BENCH_LOAD_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const started = performance.now();
  const daemon: DaemonProcess = await startDaemonProcess(
    ["--dags", repo.root, "--executor", "local", "--state-dir", dirs.stateDir],
    env,
    180_000,
    { cli: CLI, nodeFlags: [...shebangFlags, ...profile, ...extraFlags] },
  );
  try {
    await pollUntil(
      "/readyz",
      async () => ((await fetch(`${daemon.url}/readyz`)).status === 200 ? true : undefined),
      { everyMs: 20, timeoutMs: 180_000 },
    );
    const readyMs = performance.now() - started;
    const pid = daemon.child.pid ?? 0;
    const rssBytes = statusField(pid, "VmRSS");
    const cpuAtReady = cpuOf(pid);
    // The daemon's compiler service lives as long as the daemon: never reaped, so read while it runs.
    const esbuildMs = childPids(pid, "esbuild").reduce((sum, child) => sum + cpuOf(child).selfMs, 0);
    const status = await daemon.getJson<StatusBody>("/api/status");
    checks.expect(
      status.dags.total === repo.dags.length,
      () => `daemon: ${status.dags.total} DAGs ready, expected ${repo.dags.length}`,
    );
    // The loader processes are gone and the first scheduling pass is done a few seconds later.
    await sleep(3_000);
    // Loaders killed at the end of the load are counted once reaped; the spare started since is not.
    const cpu = { selfMs: cpuAtReady.selfMs, childrenMs: cpuOf(pid).childrenMs, esbuildMs };
    return {
      readyMs,
      cpu,
      rssBytes,
      peakRssBytes: statusField(pid, "VmHWM"),
      settledRssBytes: statusField(pid, "VmRSS"),
    };
  } finally {
    await daemon.stop();
  }
}

/** utime + stime and cutime + cstime of /proc/<pid>/stat, in ms (clock ticks of 10 ms). */
function cpuOf(pid: number): { selfMs: number; childrenMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) in parentheses; utime is field 14.
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  const tick = 10;
  const at = (field: number) => fields[field - 3] ?? Number.NaN;
  return { selfMs: (at(14) + at(15)) * tick, childrenMs: (at(16) + at(17)) * tick };
}

/** Pids of `pid`'s child processes whose command name is `name`. */
function childPids(pid: number, name: string): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return children.map(Number).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, "utf8").trim() === name;
    } catch {
      return false;
    }
  });
}

function statusField(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match?.[1] ? Number(match[1]) * 1024 : Number.NaN;
}
