import { setTimeout as sleep } from "node:timers/promises";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import type { LoaderPool } from "../../src/dags/loader/loader-pool.ts";
import { type DagRepo, dagDescription, reviseDag, reviseHotHelper } from "./dag-repo.ts";
import {
  type Checks,
  cpuSpent,
  cpuTime,
  line,
  type MemorySample,
  memoryAfterGc,
  memoryDetail,
  ms,
  timed,
} from "./figures.ts";

/**
 * What the daemon holds between loads: its pool and its one current DAG set. Reloads replace
 * `set`, so that, as in the daemon, nothing keeps earlier sets alive.
 */
export interface Daemon {
  pool: LoaderPool;
  set: DagSet;
}

/** Makes a LoaderPool the bench closes at the end. */
export type PoolFactory = (concurrency?: number, prewarm?: boolean) => LoaderPool;

/** Long enough for killed loader processes to be reaped, so that their CPU time is counted. */
const REAP_MS = 300;

/** A fresh pool, as the daemon makes one at start-up, and a full load through it. */
export async function fullLoad(
  repo: DagRepo,
  newPool: PoolFactory,
  checks: Checks,
): Promise<{ ms: number; cpu: string; daemon: Daemon }> {
  await sleep(REAP_MS);
  const cpuBefore = cpuTime();
  const started = performance.now();
  const pool = newPool();
  const { set, stats } = await loadDagSet(pool, repo.root);
  const elapsed = performance.now() - started;
  // The loaders of this load were killed as it ended; once reaped, their CPU time is counted.
  // The spare started afterwards is still alive and not counted.
  await sleep(REAP_MS);
  const cpu = cpuSpent(cpuBefore, cpuTime());
  checks.expect(
    set.dags.length === repo.dags.length && set.errors.length === 0 && stats.evaluated === repo.dags.length,
    () =>
      `full load gave ${set.dags.length} DAGs and ${set.errors.length} errors (first: ${JSON.stringify(set.errors[0])}), evaluated ${stats.evaluated}`,
  );
  return { ms: elapsed, cpu, daemon: { pool, set } };
}

/** Changes DAG module `index` and reloads; returns the time loadDagSet took. */
export async function reloadOneDag(
  daemon: Daemon,
  repo: DagRepo,
  index: number,
  revision: number,
  checks: Checks,
): Promise<number> {
  const changed = await reviseDag(repo, index, revision);
  const reload = await timed(() =>
    loadDagSet(daemon.pool, repo.root, { previous: daemon.set, changedFiles: [changed.file] }),
  );
  const { set, stats } = reload.value;
  daemon.set = set;
  const description = set.dags.find((loaded) => loaded.dag.id === changed.id)?.dag.description;
  checks.expect(
    stats.evaluated === 1,
    () => `1-file reload of ${changed.file} evaluated ${stats.evaluated} modules`,
  );
  checks.expect(
    description === dagDescription(index, revision),
    () => `after changing ${changed.file}, its DAG's description is ${JSON.stringify(description)}`,
  );
  return reload.ms;
}

/** Changes the helper imported by ten DAG modules and reloads; returns the time loadDagSet took. */
export async function reloadHotHelper(
  daemon: Daemon,
  repo: DagRepo,
  revision: number,
  checks: Checks,
): Promise<number> {
  await reviseHotHelper(repo, revision);
  const reload = await timed(() =>
    loadDagSet(daemon.pool, repo.root, { previous: daemon.set, changedFiles: [repo.hotHelper] }),
  );
  const { set, stats } = reload.value;
  daemon.set = set;
  const ids = new Set(repo.hotImporters.map((dag) => dag.id));
  const updated = set.dags.filter(
    (loaded) => ids.has(loaded.dag.id) && loaded.dag.tags.includes(`rev-${revision}`),
  );
  checks.expect(
    stats.evaluated === ids.size,
    () => `helper reload evaluated ${stats.evaluated} modules, not ${ids.size}`,
  );
  checks.expect(
    updated.length === ids.size,
    () => `after the helper change, ${updated.length} of ${ids.size} DAGs show it`,
  );
  return reload.ms;
}

/**
 * `cycles` 1-file reloads back to back (a different module each time), with this process's memory
 * before, after and at each quarter.
 */
export async function reloadCycles(
  daemon: Daemon,
  repo: DagRepo,
  cycles: number,
  checks: Checks,
): Promise<{ before: MemorySample; after: MemorySample; cycleTimes: number[]; totalMs: number }> {
  const cycleTimes: number[] = [];
  const before = memoryAfterGc();
  line("before", memoryDetail(before));
  const started = performance.now();
  const quarter = Math.max(1, Math.floor(cycles / 4));
  for (let cycle = 1; cycle <= cycles; cycle += 1) {
    cycleTimes.push(await reloadOneDag(daemon, repo, cycle % repo.dags.length, 1_000 + cycle, checks));
    if (cycle % quarter === 0 && cycle < cycles) {
      line(`after ${cycle} reloads (${ms(performance.now() - started)})`, memoryDetail(memoryAfterGc()));
    }
  }
  const totalMs = performance.now() - started;
  const after = memoryAfterGc();
  line(`after ${cycles} reloads (${ms(totalMs)})`, memoryDetail(after));
  return { before, after, cycleTimes, totalMs };
}
