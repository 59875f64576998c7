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
  HistoryUnreadableError,
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
  /** The file's runs in archive order (the newest last). */
  entries: HistoryEntry[];
  /** `entries` newest logical date first, built when asked. */
  sorted: HistoryEntry[] | undefined;
  /** The newest run in full: a DAG list shows each DAG's last run without reading its file. */
  newest: Run | undefined;
}

/** History files read at load between two turns of the event loop. */
const YIELD_EVERY = 200;

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
 * compact entry per run, each DAG's newest run, and a byte-capped cache of parsed files; other runs
 * are read from disk when asked. The run store serialises every write through its own queue.
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
  /** Run id → its DAG, for every finished run. */
  #runDag = new Map<string, string>();
  /** Runs dropped in memory only (a standby's view): left out whenever their file is read again. */
  readonly #forgotten = new Set<string>();

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

  /**
   * Reads every history file once, keeping only its entries and newest run (a file that is not JSON
   * stops start-up, as state.json does); what was known before is replaced at once.
   */
  async load(): Promise<void> {
    const names: string[] = [];
    for (const file of await readdir(this.#dir)) {
      const dagId = file.endsWith(".json") ? safeDecode(file.slice(0, -".json".length)) : undefined;
      if (dagId !== undefined) names.push(dagId);
    }
    // Parsed as read, into maps swapped in at the end: readers never see half a load.
    const dags = new Map<string, DagHistory>();
    const runDag = new Map<string, string>();
    // Read synchronously (10,000 small files: ~150 ms, against ~700 ms through fs.promises), with
    // a turn for others now and then: a standby loads again while it serves.
    for (const [i, dagId] of names.entries()) {
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
      const text = this.#reader.readSync(this.#fileOf(dagId));
      dags.set(dagId, indexOf(dagId, this.#parse(dagId, text, new Set()), runDag));
    }
    this.#dags = dags;
    this.#runDag = runDag;
    this.#forgotten.clear();
    this.#cache.clear();
  }

  has(runId: string): boolean {
    return this.#runDag.has(runId);
  }

  /** The DAG whose history holds this run. */
  dagOf(runId: string): string | undefined {
    return this.#runDag.get(runId);
  }

  /** The run if this DAG's history holds it. */
  getIn(dagId: string, runId: string): Run | undefined {
    const dag = this.#dags.get(dagId);
    if (dag?.newest?.id === runId) return dag.newest;
    if (!dag || this.#runDag.get(runId) !== dagId) return undefined;
    return this.#runsSync(dagId).find((run) => run.id === runId);
  }

  get(runId: string): Run | undefined {
    const dagId = this.dagOf(runId);
    return dagId === undefined ? undefined : this.getIn(dagId, runId);
  }

  /** DAGs with a history file. */
  dagIds(): Iterable<string> {
    return this.#dags.keys();
  }

  /** A DAG's finished runs' entries, newest logical date first. */
  sortedEntries(dagId: string): readonly HistoryEntry[] {
    const dag = this.#dags.get(dagId);
    if (!dag) return [];
    dag.sorted ??= [...dag.entries].sort(newestFirst);
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
    for (const dag of this.#dags.values()) {
      const entries = dag.entries;
      for (let i = Math.max(0, entries.length - limit); i < entries.length; i++)
        yield entries[i] as HistoryEntry;
    }
  }

  /**
   * Adds a finished run to its DAG's file (replacing a copy already there) and trims the file to
   * `keepRuns`; resolves with the runs trimmed once the file is on disk. A failed write leaves the
   * history as it was and rejects. Call inside the store's write queue.
   */
  add(run: Run): Promise<Run[]> {
    return this.addAll(run.dagId, [run]);
  }

  /** `add` for many finished runs of one DAG, in one write of its file. */
  async addAll(dagId: string, added: readonly Run[]): Promise<Run[]> {
    const ids = new Set(added.map((run) => run.id));
    // Idempotent: an archive whose second write failed is retried with the runs already here.
    const runs = (await this.#runsAsync(dagId)).filter((r) => !ids.has(r.id));
    for (const run of added) {
      const { definition: _definition, definitionKey: _key, ...finished } = run;
      runs.push(structuredClone(finished));
    }
    const dropped = runs.splice(0, Math.max(0, runs.length - this.#keepRuns));
    await this.#write(dagId, runs);
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
    if (!dag?.entries.some((entry) => entry.id === runId)) return;
    dag.entries = dag.entries.filter((entry) => entry.id !== runId);
    dag.sorted = undefined;
    // Read again when the newest is asked for.
    if (dag.newest?.id === runId) dag.newest = undefined;
    if (this.#runDag.get(runId) === dagId) this.#runDag.delete(runId);
    this.#cache.delete(dagId);
  }

  /** What the cache holds (tests). */
  get cached(): { bytes: number; files: number } {
    return this.#cache.size;
  }

  async #write(dagId: string, runs: Run[]): Promise<void> {
    const text = JSON.stringify(await this.#codec.encode({ runs }));
    await this.#writer.write(this.#fileOf(dagId), text);
    // Only what is on disk is seen (a failed write above changed nothing here).
    this.#set(dagId, runs, text.length);
  }

  #runsSync(dagId: string): Run[] {
    const cached = this.#cache.get(dagId);
    if (cached) return cached;
    if (!this.#dags.has(dagId)) return [];
    const file = this.#fileOf(dagId);
    try {
      return this.#read(dagId, this.#reader.readSync(file));
    } catch (error) {
      throw new HistoryUnreadableError(file, error);
    }
  }

  async #runsAsync(dagId: string): Promise<Run[]> {
    const cached = this.#cache.get(dagId);
    if (cached) return cached;
    if (!this.#dags.has(dagId)) return [];
    const file = this.#fileOf(dagId);
    try {
      const text = await this.#reader.read(file);
      // Read by a reader meanwhile: that copy is as new (writes go through the store's queue).
      return this.#cache.get(dagId) ?? this.#read(dagId, text);
    } catch (error) {
      throw new HistoryUnreadableError(file, error);
    }
  }

  /** A file's runs, made the DAG's history in memory and cached. */
  #read(dagId: string, text: string | undefined): Run[] {
    const runs = this.#parse(dagId, text, this.#forgotten);
    this.#set(dagId, runs, text?.length ?? 0);
    return runs;
  }

  #parse(dagId: string, text: string | undefined, forgotten: ReadonlySet<string>): Run[] {
    if (text === undefined) return [];
    const runs = parseHistory(this.#fileOf(dagId), text).filter((run) => !forgotten.has(run.id));
    this.#confs.decodeSync(runs);
    return runs;
  }

  /** Makes `runs` the DAG's history in memory: entries, the run index, newest run, and the cache. */
  #set(dagId: string, runs: Run[], bytes: number): void {
    for (const entry of this.#dags.get(dagId)?.entries ?? [])
      if (this.#runDag.get(entry.id) === dagId) this.#runDag.delete(entry.id);
    this.#dags.set(dagId, indexOf(dagId, runs, this.#runDag));
    this.#cache.set(dagId, runs, bytes);
  }

  #fileOf(dagId: string): string {
    return path.join(this.#dir, `${encodeURIComponent(dagId)}.json`);
  }
}

/** A DAG's history in memory for these runs (archive order), its runs entered in `runDag`. */
function indexOf(dagId: string, runs: readonly Run[], runDag: Map<string, string>): DagHistory {
  const dag: DagHistory = { entries: [], sorted: undefined, newest: undefined };
  for (const run of runs) {
    dag.entries.push({ id: run.id, dagId, logicalDate: run.logicalDate, queuedAt: run.queuedAt });
    runDag.set(run.id, dagId);
    if (!dag.newest || newestFirst(run, dag.newest) < 0) dag.newest = run;
  }
  return dag;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
