import { SecretMask } from "../secrets/secret-mask.ts";
import { type ActiveDag, applyDagSet, type DagChanges, type ImportError } from "./active-dags.ts";
import type { DagSet } from "./dag-set.ts";
import type { LoadedDag } from "./loader/loader-protocol.ts";

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
  /**
   * Masked definitions by the loaded DAG they came from, with the mask's size then: an incremental
   * load hands unchanged DAGs back as the same objects, so only changed ones are masked again and
   * unchanged ones keep their identity (which `applyDagSet` compares before any deep comparison).
   */
  readonly #maskedDags = new WeakMap<LoadedDag, { secrets: number; masked: LoadedDag }>();

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
      dags: set.dags.map((loaded) => this.#maskedDag(loaded)),
      errors: set.errors.map((error) => this.#mask.maskDeep(error)),
    };
  }

  #maskedDag(loaded: LoadedDag): LoadedDag {
    const secrets = this.#mask.size;
    const cached = this.#maskedDags.get(loaded);
    if (cached?.secrets === secrets) return cached.masked;
    const masked = { ...loaded, dag: this.#mask.maskDeep(loaded.dag) };
    this.#maskedDags.set(loaded, { secrets, masked });
    return masked;
  }

  onChange(listener: (changes: DagChanges) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
