import path from "node:path";
import { assembleDagSet, type DagSet } from "./dag-set.ts";
import { findSourceFiles } from "./discovery/find-source-files.ts";
import { readTexts } from "./discovery/read-texts.ts";
import { affectedModules } from "./discovery/module-graph.ts";
import { type ImportScan, scanImports } from "./discovery/scan-imports.ts";
import type { LoaderPool } from "./loader/loader-pool.ts";
import type { ModuleLoadResult } from "./loader/loader-protocol.ts";

/** How a load went, for logs, benchmarks and the sync record. */
export interface LoadStats {
  files: number;
  modules: number;
  evaluated: number;
  durationMs: number;
  /** Wall time of each stage, for the load bench's per-stage table. */
  stages: LoadStages;
}

/** Milliseconds spent in each stage of one load. */
export interface LoadStages {
  /** Walking the folder (findSourceFiles). */
  discovery: number;
  /** Reading and scanning the files not reused from the previous set. */
  scan: number;
  /** pool.load: compiling, loader processes, IPC, evaluation and validation. */
  loader: number;
  /** Joining the per-module results into the set. */
  assemble: number;
}

/**
 * Loads a DAGs folder through a LoaderPool. Given the previous set and the files that changed
 * since (relative paths; the folder may be a different snapshot of the same repository), only the
 * DAG modules those changes affect are evaluated again; the rest reuse their earlier results.
 */
export async function loadDagSet(
  pool: LoaderPool,
  root: string,
  incremental?: { previous: DagSet; changedFiles: Iterable<string> },
): Promise<{ set: DagSet; stats: LoadStats }> {
  const started = performance.now();
  const absoluteRoot = path.resolve(root);
  const files = await findSourceFiles(absoluteRoot);
  const discovered = performance.now();
  const changed = new Set(incremental?.changedFiles ?? []);
  const previousScans = incremental?.previous.scans;
  const scans = new Map<string, ImportScan>();
  const toScan: string[] = [];
  for (const file of files) {
    const earlier = changed.has(file) ? undefined : previousScans?.get(file);
    if (earlier) scans.set(file, earlier);
    else toScan.push(file);
  }
  await readTexts(
    toScan.map((file) => path.join(absoluteRoot, file)),
    (index, text) => {
      const file = toScan[index] as string;
      scans.set(file, scanImports(file, text));
    },
  );
  const scanned = performance.now();
  const previousModules = incremental?.previous.modules;
  const dagModules = files.filter((file) => scans.get(file)?.importsUpdraft);
  const affected = previousModules ? affectedModules(scans, changed) : new Set(dagModules);
  const toEvaluate = dagModules.filter((file) => affected.has(file) || !previousModules?.has(file));
  const evaluated = await pool.load(
    absoluteRoot,
    toEvaluate.map((file) => path.join(absoluteRoot, file)),
  );
  const loaded = performance.now();
  const fresh = new Map(evaluated.map((result) => [result.file, result]));
  const modules = new Map<string, ModuleLoadResult>();
  for (const file of dagModules) {
    const result = fresh.get(file) ?? previousModules?.get(file);
    if (result) modules.set(file, result);
  }
  const owners = new Map(incremental?.previous.dags.map((loaded) => [loaded.dag.id, loaded.file]) ?? []);
  const set = assembleDagSet(absoluteRoot, modules, scans, owners);
  const ended = performance.now();
  return {
    set,
    stats: {
      files: files.length,
      modules: dagModules.length,
      evaluated: toEvaluate.length,
      durationMs: ended - started,
      stages: {
        discovery: discovered - started,
        scan: scanned - discovered,
        loader: loaded - scanned,
        assemble: ended - loaded,
      },
    },
  };
}
