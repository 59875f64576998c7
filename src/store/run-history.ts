import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../runs/run-model.ts";
import { newestFirst } from "../runs/run-order.ts";
import type { StateWriter } from "./durable-write.ts";
import type { ConfFiles } from "./conf-files.ts";
import type { StateCodec } from "./state-file.ts";
import { HistoryCache } from "./history-cache.ts";
import {
  fileHistoryReader,
  type HistoryReader,
  idsMentioned,
  mentionOf,
  parseHistory,
} from "./history-reader.ts";

/** What stays in memory of every finished run: enough to order, page and pick the recent ones. */
export interface HistoryEntry {
  readonly id: string;
  readonly dagId: string;
  readonly logicalDate: string;
  readonly queuedAt: string;
}

interface DagHistory {
  /** The file's runs in archive order (the newest last); undefined until the file was read. */
  entries: HistoryEntry[] | undefined;
  /** `entries` newest logical date first, built when asked. */
  sorted: HistoryEntry[] | undefined;
  /** The newest run in full: a DAG list shows each DAG's last run without reading its file. */
  newest: Run | undefined;
}

/** File text held parsed by default: ~20 MB of heap, whatever the number of runs. */
export const HISTORY_CACHE_BYTES = 8 * 1024 * 1024;

export interface RunHistoryOptions {
  keepRuns: number;
  writer: StateWriter;
  confs: ConfFiles;
  reader?: HistoryReader;
  cacheBytes?: number;
}

/**
 * Finished runs: `runs/<dagId>.json` per DAG, each keeping the newest `keepRuns`. In memory: a
 * compact entry per run (read lazily, per DAG, or by `indexRest` after start), each DAG's newest run,
 * and a byte-capped cache of parsed files; older runs are read from disk when asked. The run store
 * serialises every write through its own queue.
 */
export class RunHistory {
  readonly #dir: string;
  readonly #keepRuns: number;
  readonly #writer: StateWriter;
  readonly #confs: ConfFiles;
  readonly #reader: HistoryReader;
  readonly #codec: StateCodec<{ runs: Run[] }>;
  readonly #cache: HistoryCache<Run[]>;
  /** Every DAG with a history file, in the order listed at load (new ones after). */
  #dags = new Map<string, DagHistory>();
  /** Run id → its DAG, for every run of the DAGs read so far. */
  readonly #runDag = new Map<string, string>();
  /** Runs dropped in memory only (a standby's view): left out whenever their file is read again. */
  readonly #forgotten = new Set<string>();
  #unread = 0;
  #generation = 0;

  constructor(dir: string, options: RunHistoryOptions) {
    this.#dir = dir;
    this.#keepRuns = options.keepRuns;
    this.#writer = options.writer;
    this.#confs = options.confs;
    this.#reader = options.reader ?? fileHistoryReader;
    this.#cache = new HistoryCache(options.cacheBytes ?? HISTORY_CACHE_BYTES);
    this.#codec = options.confs.codec(
      (data) => data.runs,
      (data, each) => ({ ...data, runs: data.runs.map(each) }),
    );
  }

  /** Lists the history files (reads none); what was known before is replaced at once. */
  async load(): Promise<void> {
    const dags = new Map<string, DagHistory>();
    for (const file of await readdir(this.#dir)) {
      const dagId = file.endsWith(".json") ? safeDecode(file.slice(0, -".json".length)) : undefined;
      if (dagId !== undefined) dags.set(dagId, { entries: undefined, sorted: undefined, newest: undefined });
    }
    this.#generation++;
    this.#dags = dags;
    this.#unread = dags.size;
    this.#runDag.clear();
    this.#forgotten.clear();
    this.#cache.clear();
  }

  /** Reads the files not read yet, one at a time, keeping only their entries (after start). */
  async indexRest(): Promise<void> {
    const generation = this.#generation;
    for (const [dagId, dag] of this.#dags) {
      if (generation !== this.#generation) return;
      if (dag.entries) continue;
      const text = await this.#reader.read(this.#fileOf(dagId));
      // A write or a reader may have read it meanwhile; a new load() starts over.
      if (generation !== this.#generation || dag.entries) continue;
      this.#index(dagId, text, false);
    }
  }

  /** Reads one DAG's file unless it was read (before the both-files check of a start). */
  async indexDag(dagId: string): Promise<void> {
    await this.#runsAsync(dagId);
  }

  has(runId: string): boolean {
    return this.dagOf(runId) !== undefined;
  }

  /** The DAG whose history holds this run. */
  dagOf(runId: string): string | undefined {
    const known = this.#runDag.get(runId);
    if (known !== undefined || this.#unread === 0) return known;
    // Run ids start with their DAG's id and "__" (scheduledRunId, manualRunId): that file first.
    for (let at = runId.indexOf("__"); at > 0; at = runId.indexOf("__", at + 2)) {
      const dagId = runId.slice(0, at);
      if (this.#dags.get(dagId)?.entries === undefined && this.#dags.has(dagId)) this.#runsSync(dagId);
      const found = this.#runDag.get(runId);
      if (found !== undefined) return found;
    }
    // An id of another shape: only every file can tell.
    this.#indexAllSync();
    return this.#runDag.get(runId);
  }

  /** The run if this DAG's history holds it. */
  getIn(dagId: string, runId: string): Run | undefined {
    const dag = this.#dags.get(dagId);
    if (dag?.newest?.id === runId) return dag.newest;
    if (dag?.entries && this.#runDag.get(runId) !== dagId) return undefined;
    return this.#runsSync(dagId).find((run) => run.id === runId);
  }

  get(runId: string): Run | undefined {
    const dagId = this.dagOf(runId);
    return dagId === undefined ? undefined : this.getIn(dagId, runId);
  }

  /**
   * Whether this DAG's history may hold the run, without parsing its file when it was not read:
   * true for every run it holds (and maybe for other ids). For sweeps that keep what may be in use;
   * `seen` keeps the last file's ids between calls (a sweep asks DAG by DAG).
   */
  mayHold(dagId: string, runId: string, seen: { dagId?: string; ids?: Set<string> }): boolean {
    const dag = this.#dags.get(dagId);
    if (!dag) return false;
    if (dag.entries) return this.#runDag.get(runId) === dagId;
    if (seen.dagId !== dagId || !seen.ids) {
      const text = this.#reader.readSync(this.#fileOf(dagId));
      seen.dagId = dagId;
      seen.ids = text === undefined ? new Set() : idsMentioned(text);
    }
    return seen.ids.has(mentionOf(runId));
  }

  /** DAGs with a history file. */
  dagIds(): Iterable<string> {
    return this.#dags.keys();
  }

  /** A DAG's finished runs' entries, newest logical date first. */
  sortedEntries(dagId: string): readonly HistoryEntry[] {
    const dag = this.#dags.get(dagId);
    if (!dag) return [];
    if (!dag.entries) this.#runsSync(dagId);
    dag.sorted ??= [...(dag.entries ?? [])].sort(newestFirst);
    return dag.sorted;
  }

  /** The runs of these entries of one DAG, in their order (one read of its file at most). */
  runsOf(dagId: string, entries: readonly HistoryEntry[]): Run[] {
    const newest = this.#dags.get(dagId)?.newest;
    if (entries.every((entry) => entry.id === newest?.id)) return entries.map(() => newest as Run);
    const byId = new Map(this.#runsSync(dagId).map((run) => [run.id, run]));
    return entries.flatMap((entry) => byId.get(entry.id) ?? []);
  }

  /** Each DAG's last `limit` entries in the order they were archived (the newest last). */
  *latestArchived(limit: number): Iterable<HistoryEntry> {
    this.#indexAllSync();
    for (const dag of this.#dags.values()) {
      const entries = dag.entries ?? [];
      for (let i = Math.max(0, entries.length - limit); i < entries.length; i++)
        yield entries[i] as HistoryEntry;
    }
  }

  /**
   * Adds a finished run to its DAG's file (replacing a copy already there) and trims the file to
   * `keepRuns`; resolves with the runs trimmed once the file is on disk. A failed write leaves the
   * history as it was and rejects. Call inside the store's write queue.
   */
  async add(run: Run): Promise<Run[]> {
    const { definition: _definition, definitionKey: _key, ...finished } = run;
    // Idempotent: an archive whose second write failed is retried with the run already here.
    const runs = (await this.#runsAsync(run.dagId)).filter((r) => r.id !== run.id);
    runs.push(structuredClone(finished));
    const dropped = runs.splice(0, Math.max(0, runs.length - this.#keepRuns));
    await this.#write(run.dagId, runs);
    return dropped;
  }

  /** Removes a run from its DAG's file and waits for the write. Call inside the store's write queue. */
  async remove(dagId: string, runId: string): Promise<void> {
    if (!this.#dags.has(dagId)) return;
    const runs = (await this.#runsAsync(dagId)).filter((r) => r.id !== runId);
    await this.#write(dagId, runs);
  }

  /** Drops a run in memory only (a reader's view; the owner rewrites the file). */
  forget(dagId: string, runId: string): void {
    this.#forgotten.add(runId);
    const dag = this.#dags.get(dagId);
    if (!dag?.entries) return;
    // Read again when asked, without the run.
    for (const entry of dag.entries) if (this.#runDag.get(entry.id) === dagId) this.#runDag.delete(entry.id);
    dag.entries = undefined;
    dag.sorted = undefined;
    dag.newest = undefined;
    this.#cache.delete(dagId);
    this.#unread++;
  }

  /** What the cache holds (tests). */
  get cached(): { bytes: number; files: number } {
    return this.#cache.size;
  }

  async #write(dagId: string, runs: Run[]): Promise<void> {
    const text = JSON.stringify(await this.#codec.encode({ runs }));
    await this.#writer.write(this.#fileOf(dagId), text);
    // Only what is on disk is seen (a failed write above changed nothing here).
    this.#set(dagId, runs, text.length, true);
  }

  #runsSync(dagId: string): Run[] {
    const cached = this.#cache.get(dagId);
    if (cached) return cached;
    if (!this.#dags.has(dagId)) return [];
    return this.#index(dagId, this.#reader.readSync(this.#fileOf(dagId)), true);
  }

  async #runsAsync(dagId: string): Promise<Run[]> {
    const cached = this.#cache.get(dagId);
    if (cached) return cached;
    if (!this.#dags.has(dagId)) return [];
    const generation = this.#generation;
    const text = await this.#reader.read(this.#fileOf(dagId));
    // Read by someone else meanwhile: that copy is as new (writes go through the store's queue).
    const again = this.#cache.get(dagId);
    if (again || generation !== this.#generation) return again ?? this.#runsSync(dagId);
    return this.#index(dagId, text, true);
  }

  #indexAllSync(): void {
    if (this.#unread === 0) return;
    for (const [dagId, dag] of this.#dags)
      if (!dag.entries) this.#index(dagId, this.#reader.readSync(this.#fileOf(dagId)), false);
  }

  /** Parses a file's text (none: no runs) into its runs and indexes them; `keep` caches them. */
  #index(dagId: string, text: string | undefined, keep: boolean): Run[] {
    const runs =
      text === undefined
        ? []
        : parseHistory(this.#fileOf(dagId), text).filter((run) => !this.#forgotten.has(run.id));
    this.#confs.decodeSync(runs);
    this.#set(dagId, runs, text?.length ?? 0, keep);
    return runs;
  }

  /** Makes `runs` the DAG's history in memory: entries, index, newest run, and the cache if `keep`. */
  #set(dagId: string, runs: Run[], bytes: number, keep: boolean): void {
    let dag = this.#dags.get(dagId);
    if (!dag) {
      dag = { entries: undefined, sorted: undefined, newest: undefined };
      this.#dags.set(dagId, dag);
    } else if (!dag.entries) this.#unread--;
    for (const entry of dag.entries ?? [])
      if (this.#runDag.get(entry.id) === dagId) this.#runDag.delete(entry.id);
    dag.entries = runs.map(({ id, logicalDate, queuedAt }) => ({ id, dagId, logicalDate, queuedAt }));
    dag.sorted = undefined;
    dag.newest = undefined;
    for (const run of runs) {
      this.#runDag.set(run.id, dagId);
      if (!dag.newest || newestFirst(run, dag.newest) < 0) dag.newest = run;
    }
    if (keep) this.#cache.set(dagId, runs, bytes);
    else this.#cache.delete(dagId);
  }

  #fileOf(dagId: string): string {
    return path.join(this.#dir, `${encodeURIComponent(dagId)}.json`);
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
