import type { ImportScan } from "./discovery/scan-imports.ts";
import type { LoadError } from "./loader/load-error.ts";
import type { LoadedDag, ModuleLoadResult } from "./loader/loader-protocol.ts";

/** The outcome of loading a DAGs folder: every valid DAG and every error, with what produced them. */
export interface DagSet {
  root: string;
  /** Valid DAGs, one per id, sorted by id. */
  dags: LoadedDag[];
  /** Every error, sorted by file and line. */
  errors: LoadError[];
  /** Per DAG module (relative path): its own load result, reused by the next incremental load. */
  modules: ReadonlyMap<string, ModuleLoadResult>;
  /** Per source file: its imports, reused by the next incremental load. */
  scans: ReadonlyMap<string, ImportScan>;
}

/**
 * Joins per-module results into one DAG set. A DAG id defined more than once keeps the definition
 * that owned it before (so adding a clash elsewhere never takes a running DAG down), else the first
 * by file and line; every other definition becomes an error naming both places.
 */
export function assembleDagSet(
  root: string,
  modules: ReadonlyMap<string, ModuleLoadResult>,
  scans: ReadonlyMap<string, ImportScan>,
  previousOwners: ReadonlyMap<string, string> = new Map(),
): DagSet {
  const errors: LoadError[] = [];
  const byId = new Map<string, LoadedDag[]>();
  // Written for 10,000 modules reassembled after a one-file change: no copies or sorts of the
  // one-element lists nearly every id has.
  for (const result of modules.values()) {
    for (const error of result.errors) errors.push(error);
    for (const loaded of result.dags) {
      const definitions = byId.get(loaded.dag.id);
      if (definitions) definitions.push(loaded);
      else byId.set(loaded.dag.id, [loaded]);
    }
  }
  const dags: LoadedDag[] = [];
  for (const [id, definitions] of byId) {
    if (definitions.length === 1) {
      dags.push(definitions[0] as LoadedDag);
      continue;
    }
    const ordered = definitions.sort(byPlace);
    const owner = previousOwners.get(id);
    const keeper = ordered.find((d) => d.file === owner) ?? (ordered[0] as LoadedDag);
    dags.push(keeper);
    for (const other of ordered) {
      if (other === keeper) continue;
      errors.push({
        file: other.file,
        line: other.line,
        column: null,
        kind: "duplicate",
        dagId: id,
        message: `DAG id "${id}" is defined twice: in ${place(keeper)} (in use) and in ${place(other)}; DAG ids must be unique across the repository`,
      });
    }
  }
  dags.sort((a, b) => (a.dag.id < b.dag.id ? -1 : a.dag.id > b.dag.id ? 1 : 0));
  errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { root, dags, errors, modules, scans };
}

function byPlace(a: LoadedDag, b: LoadedDag): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0);
}

function place(loaded: LoadedDag): string {
  return loaded.line ? `${loaded.file}:${loaded.line}` : loaded.file;
}
