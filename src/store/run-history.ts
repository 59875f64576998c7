import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../runs/run-model.ts";
import { newestFirst } from "../runs/run-order.ts";
import type { StateWriter } from "./durable-write.ts";
import { openStateFile, type StateFile } from "./state-file.ts";
import type { ConfFiles } from "./conf-files.ts";

type HistoryFile = StateFile<{ runs: Run[] }>;

/**
 * Finished runs: `runs/<dagId>.json` per DAG, each keeping the newest `keepRuns`. The run store
 * serialises every write through its own queue; this class only knows the files.
 */
export class RunHistory {
  readonly #dir: string;
  readonly #keepRuns: number;
  readonly #writer: StateWriter;
  readonly #confs: ConfFiles;
  readonly #files = new Map<string, HistoryFile>();
  /** Run id → its DAG, for every run in a history file. */
  readonly #index = new Map<string, string>();
  /** Each DAG's finished runs, newest first; dropped whenever that history changes. */
  readonly #sorted = new Map<string, Run[]>();

  constructor(dir: string, options: { keepRuns: number; writer: StateWriter; confs: ConfFiles }) {
    this.#dir = dir;
    this.#keepRuns = options.keepRuns;
    this.#writer = options.writer;
    this.#confs = options.confs;
  }

  /** Reads every history file; what was read before is replaced at once, so readers never see half. */
  async load(): Promise<void> {
    const files = new Map<string, HistoryFile>();
    for (const file of await readdir(this.#dir)) {
      if (!file.endsWith(".json")) continue;
      const db = await openStateFile<{ runs: Run[] }>(path.join(this.#dir, file), { runs: [] }, this.#writer);
      await this.#attachConfs(db);
      files.set(file.slice(0, -".json".length), db);
    }
    this.#files.clear();
    this.#index.clear();
    this.#sorted.clear();
    for (const [dagId, db] of files) {
      this.#files.set(dagId, db);
      for (const run of db.data.runs) this.#index.set(run.id, dagId);
    }
  }

  has(runId: string): boolean {
    return this.#index.has(runId);
  }

  /** The DAG whose history holds this run. */
  dagOf(runId: string): string | undefined {
    return this.#index.get(runId);
  }

  get(runId: string): Run | undefined {
    const dagId = this.#index.get(runId);
    return dagId ? this.#files.get(dagId)?.data.runs.find((run) => run.id === runId) : undefined;
  }

  /** DAGs with a history file. */
  dagIds(): Iterable<string> {
    return this.#files.keys();
  }

  /** A DAG's finished runs, newest logical date first (cached until that history changes). */
  newestFirst(dagId: string): Run[] {
    let sorted = this.#sorted.get(dagId);
    if (!sorted) {
      sorted = [...(this.#files.get(dagId)?.data.runs ?? [])].sort(newestFirst);
      this.#sorted.set(dagId, sorted);
    }
    return sorted;
  }

  /** Each DAG's last `limit` runs in the order they were archived (the newest last). */
  *latestArchived(limit: number): Iterable<Run> {
    for (const db of this.#files.values()) {
      const runs = db.data.runs;
      for (let i = Math.max(0, runs.length - limit); i < runs.length; i++) yield runs[i] as Run;
    }
  }

  /**
   * Adds a finished run to its DAG's file (replacing a copy already there) and trims the file to
   * `keepRuns`; resolves with the runs trimmed once the file is on disk. A failed write rolls the
   * file back and rejects. Call inside the store's write queue.
   */
  add(run: Run): Promise<Run[]> {
    return this.addAll(run.dagId, [run]);
  }

  /** `add` for many finished runs of one DAG, in one write of its file. */
  async addAll(dagId: string, added: readonly Run[]): Promise<Run[]> {
    const history = await this.#fileOf(dagId);
    const ids = new Set(added.map((run) => run.id));
    // Idempotent: an archive whose second write failed is retried with the runs already here.
    const runs = history.data.runs.filter((r) => !ids.has(r.id));
    for (const run of added) {
      const { definition: _definition, definitionKey: _key, ...finished } = run;
      runs.push(structuredClone(finished));
    }
    const dropped = runs.splice(0, Math.max(0, runs.length - this.#keepRuns));
    history.data.runs = runs;
    this.#sorted.delete(dagId);
    try {
      await history.write();
    } finally {
      this.#sorted.delete(dagId);
    }
    // Indexed once on disk (a failed write above rolled the history back).
    for (const id of ids) this.#index.set(id, dagId);
    for (const old of dropped) this.#index.delete(old.id);
    return dropped;
  }

  /** Removes a run from its DAG's file and waits for the write. Call inside the store's write queue. */
  async remove(dagId: string, runId: string): Promise<void> {
    const history = this.#files.get(dagId);
    if (!history) return;
    history.data.runs = history.data.runs.filter((r) => r.id !== runId);
    try {
      await history.write();
    } finally {
      this.#sorted.delete(dagId);
    }
    this.#index.delete(runId);
  }

  /** Drops a run in memory only (a reader's view; the owner rewrites the file). */
  forget(dagId: string, runId: string): void {
    const history = this.#files.get(dagId);
    if (!history) return;
    history.data.runs = history.data.runs.filter((r) => r.id !== runId);
    this.#sorted.delete(dagId);
    this.#index.delete(runId);
  }

  async #fileOf(dagId: string): Promise<HistoryFile> {
    let db = this.#files.get(dagId);
    if (!db) {
      db = await openStateFile<{ runs: Run[] }>(
        path.join(this.#dir, `${encodeURIComponent(dagId)}.json`),
        { runs: [] },
        this.#writer,
      );
      await this.#attachConfs(db);
      this.#files.set(dagId, db);
    }
    return db;
  }

  #attachConfs(db: HistoryFile): Promise<void> {
    return db.useCodec(
      this.#confs.codec(
        (data) => data.runs,
        (data, each) => ({ ...data, runs: data.runs.map(each) }),
      ),
    );
  }
}
