import { SecretMask } from "../secrets/secret-mask.ts";
import { type ActiveDag, applyDagSet, type DagChanges, type ImportError } from "./active-dags.ts";
import type { DagSet } from "./dag-set.ts";

/**
 * The DAG set the daemon runs. Switched as a whole after each load (readers never see half of a
 * sync), it holds data only: no DAG module code lives in the daemon.
 */
export class DagRegistry {
  #dags: ReadonlyMap<string, ActiveDag> = new Map();
  #importErrors: ImportError[] = [];
  #loaded = false;
  readonly #listeners = new Set<(changes: DagChanges) => void>();
  readonly #mask: SecretMask;

  /** `mask`: DAG code can read the daemon's secrets; none is registered as a definition or error text. */
  constructor(mask: SecretMask = new SecretMask()) {
    this.#mask = mask;
  }

  apply(set: DagSet, source: { commit: string | null; snapshot: string; prefix: string }): DagChanges {
    const applied = applyDagSet(this.#dags, this.#masked(set), source);
    this.#dags = applied.dags;
    this.#importErrors = applied.importErrors;
    this.#loaded = true;
    for (const listener of this.#listeners) listener(applied.changes);
    return applied.changes;
  }

  /** True once the first load has been applied. */
  get loaded(): boolean {
    return this.#loaded;
  }

  get(id: string): ActiveDag | undefined {
    return this.#dags.get(id);
  }

  all(): ActiveDag[] {
    return [...this.#dags.values()];
  }

  importErrors(): ImportError[] {
    return this.#importErrors;
  }

  /** How many DAGs are loaded and how many files failed to load (for metrics). */
  counts(): { loaded: number; importErrors: number } {
    return { loaded: this.#dags.size, importErrors: this.#importErrors.length };
  }

  #masked(set: DagSet): DagSet {
    if (this.#mask.empty) return set;
    return {
      ...set,
      dags: set.dags.map((loaded) => ({ ...loaded, dag: this.#mask.maskDeep(loaded.dag) })),
      errors: set.errors.map((error) => this.#mask.maskDeep(error)),
    };
  }

  onChange(listener: (changes: DagChanges) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
