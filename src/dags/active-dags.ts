import path from "node:path";
import type { DagSet } from "./dag-set.ts";
import type { LoadError } from "./loader/load-error.ts";
import type { DagDefinition } from "./spec/dag-schema.ts";

/** A DAG the daemon schedules, and where its definition came from. */
export interface ActiveDag {
  definition: DagDefinition;
  /** Path relative to the repository root (or the watched folder). */
  file: string;
  /** Path relative to the DAGs folder (`--dags-dir`): what role scopes (`dags: ["team-a/**"]`) match. */
  pathInDags: string;
  line: number | null;
  /** Commit the definition was loaded from (null in local-folder mode). */
  commit: string | null;
  /** The DAGs folder inside that commit's snapshot: local tasks run from here. */
  snapshot: string;
  /** True when the file now fails to load and this is its last good definition. */
  stale: boolean;
  importError: LoadError | null;
}

/** An import error as the API shows it: path relative to the repository root. */
export interface ImportError extends LoadError {
  commit: string | null;
}

export interface DagChanges {
  added: string[];
  updated: string[];
  removed: string[];
}

export interface AppliedDags {
  dags: ReadonlyMap<string, ActiveDag>;
  importErrors: ImportError[];
  changes: DagChanges;
}

/**
 * The DAGs to run after loading `set` from `commit` (its files under `prefix` in the repository).
 * A DAG whose file now fails to load keeps its last good definition, marked stale with the
 * error; a DAG whose file was deleted, or that the file no longer exports, is removed.
 */
export function applyDagSet(
  current: ReadonlyMap<string, ActiveDag>,
  set: DagSet,
  source: { commit: string | null; snapshot: string; prefix: string },
): AppliedDags {
  const inRepo = (file: string) => (source.prefix ? path.posix.join(source.prefix, file) : file);
  const importErrors: ImportError[] = set.errors.map((error) => ({
    ...error,
    file: inRepo(error.file),
    commit: source.commit,
  }));
  const next = new Map<string, ActiveDag>();
  const changes: DagChanges = { added: [], updated: [], removed: [] };
  const snapshot = source.prefix ? path.join(source.snapshot, source.prefix) : source.snapshot;
  for (const loaded of set.dags) {
    const dag: ActiveDag = {
      definition: loaded.dag,
      file: inRepo(loaded.file),
      pathInDags: loaded.file,
      line: loaded.line,
      commit: source.commit,
      snapshot,
      stale: false,
      importError: null,
    };
    next.set(loaded.dag.id, dag);
    const before = current.get(loaded.dag.id);
    if (!before) changes.added.push(loaded.dag.id);
    else if (
      before.stale ||
      before.file !== dag.file ||
      // Incremental loads hand unchanged modules' definitions back as the same objects.
      (before.definition !== dag.definition &&
        JSON.stringify(before.definition) !== JSON.stringify(dag.definition))
    ) {
      changes.updated.push(loaded.dag.id);
    }
  }
  let staleKept = false;
  for (const [id, before] of current) {
    if (next.has(id)) continue;
    const error = importErrors.find(
      (e) => e.file === before.file && (e.dagId === undefined || e.dagId === id) && e.kind !== "duplicate",
    );
    if (error) {
      next.set(id, { ...before, stale: true, importError: error });
      staleKept = true;
    } else changes.removed.push(id);
  }
  for (const list of Object.values(changes)) list.sort();
  // `set.dags` is sorted by id already: only DAGs kept stale are out of place.
  const dags = staleKept ? new Map([...next].sort(([a], [b]) => (a < b ? -1 : 1))) : next;
  return { dags, importErrors, changes };
}
