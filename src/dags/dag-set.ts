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
  // One definition per id is the rule: only ids defined more than once get a list (no array per DAG).
  const byId = new Map<string, LoadedDag>();
  const clashes = new Map<string, LoadedDag[]>();
  for (const result of modules.values()) {
    for (const error of result.errors) errors.push(error);
    for (const loaded of result.dags) {
      const id = loaded.dag.id;
      const first = byId.get(id);
      if (!first) byId.set(id, loaded);
      else clashes.set(id, [...(clashes.get(id) ?? [first]), loaded]);
    }
  }
  for (const [id, definitions] of clashes) {
    const ordered = [...definitions].sort(byPlace);
    const owner = previousOwners.get(id);
    const keeper = ordered.find((d) => d.file === owner) ?? (ordered[0] as LoadedDag);
    byId.set(id, keeper);
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
  // Sorting the ids themselves (code unit order, as `<`) is several times faster than comparing
  // `a.dag.id` with `b.dag.id` across 10,000 definitions of many shapes.
  const dags = [...byId.keys()].sort().map((id) => byId.get(id) as LoadedDag);
  errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
  return { root, dags, errors, modules, scans };
}

function byPlace(a: LoadedDag, b: LoadedDag): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0);
}

function place(loaded: LoadedDag): string {
  return loaded.line ? `${loaded.file}:${loaded.line}` : loaded.file;
}
