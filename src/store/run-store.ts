import path from "node:path";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState, DagState } from "../runs/active-state.ts";
import { definitionKeyOf, type Run } from "../runs/run-model.ts";
import { newestFirst, type RunCursor } from "../runs/run-order.ts";
import { ensurePrivateDir, HeldAppendWriter, type StateWriter } from "./durable-write.ts";
import { ActiveStateFile, type GivenText } from "./active-state-file.ts";
import { type HistoryEntry, RunHistory } from "./run-history.ts";
import type { HistoryReader } from "./history-reader.ts";
import { ConfFiles } from "./conf-files.ts";
import { RunLogFolders } from "./run-files.ts";
import { ownValue } from "./id-record.ts";
import { dagTextAhead, type TextAhead, textAhead, withStamp } from "./text-ahead.ts";

const SKIPPED_KEPT = 50;
/**
 * Definitions per write when many are kept at once (10,000 at start). A line of 50 stays under V8's
 * large-object size (128 KB), so it and its bytes are collected young; 500 a line made 1 MB strings
 * that waited for a full GC.
 */
export const DEFINITIONS_PER_WRITE = 50;

export { emptyActiveState, reviveActiveState } from "./active-state-file.ts";

/** A change waiting for its group's write, and its caller's answer. */
interface PendingChange {
  change: (state: ActiveState) => void;
  resolve(): void;
  reject(error: unknown): void;
}

export interface RunStoreOptions {
  keepRuns?: number;
  /** Where runs' log folders are (default `<stateDir>/logs`); they go with pruned runs. */
  logsDir?: string;
  /** How state files reach the disk (a failing fake in tests). */
  writer?: StateWriter;
  /** How history files are read (a counting fake in tests). */
  historyReader?: HistoryReader;
  /** History file text held parsed at most (default HISTORY_CACHE_BYTES). */
  historyCacheBytes?: number;
}

/**
 * Run state in JSON files: `state.json` holds what is active; a finished run moves to
 * `runs/<dagId>.json`, which keeps the newest `keepRuns` per DAG. Every change is durably written
 * before the caller acts on it outside the process; a change the disk refused is rolled back.
 */
export class RunStore {
  #active: ActiveStateFile | undefined;
  readonly #stateDir: string;
  readonly #historyDir: string;
  readonly #writer: StateWriter;
  /** The default writer, whose held journal descriptor is let go when the files are read again. */
  readonly #heldWriter: HeldAppendWriter | undefined;
  readonly #history: RunHistory;
  #revision = 0;
  #changesApplied = 0;
  #writing: Promise<void> = Promise.resolve();
  /** Changes waiting for the next state write (see update). */
  #openGroup: PendingChange[] | undefined;
  #lastWriteError: Error | undefined;
  readonly #confs: ConfFiles;
  readonly #logFolders: RunLogFolders;
  /** Definitions of the loaded DAGs (see keepDefinitions), kept with no run using them. */
  readonly #keptDefinitions = new Set<string>();
  /** Compaction waits while this is above 0 (a burst of definitions: see keepDefinitions). */
  #compactionPutOff = 0;
  /** Calls of settle() (a stop): a burst of definitions begun before one stops writing. */
  #settles = 0;
  /** settle() was called since the state was last read: no definitions are written ahead. */
  #settledSinceLoad = false;

  constructor(stateDir: string, options: RunStoreOptions = {}) {
    this.#stateDir = stateDir;
    this.#historyDir = path.join(stateDir, "runs");
    this.#heldWriter = options.writer ? undefined : new HeldAppendWriter();
    this.#writer = options.writer ?? (this.#heldWriter as HeldAppendWriter);
    this.#confs = new ConfFiles(path.join(stateDir, "confs"));
    this.#history = new RunHistory(this.#historyDir, {
      keepRuns: options.keepRuns ?? 100,
      writer: this.#writer,
      confs: this.#confs,
      ...(options.historyReader ? { reader: options.historyReader } : {}),
      ...(options.historyCacheBytes !== undefined ? { cacheBytes: options.historyCacheBytes } : {}),
    });
    this.#logFolders = new RunLogFolders(options.logsDir ?? path.join(stateDir, "logs"));
  }

  /** A loaded store; throws CorruptStateError for an unreadable state file. */
  static async open(stateDir: string, options: RunStoreOptions = {}): Promise<RunStore> {
    const store = new RunStore(stateDir, options);
    await store.load();
    return store;
  }

  /**
   * Reads the state files (the store is empty until then); throws CorruptStateError for an unreadable
   * one. Loading again replaces what was read (a new leader reads what the previous one wrote).
   * Only an owner (`owner: true`, the replica that schedules) tidies the disk: it rewrites a history
   * a crash left inconsistent and removes files of runs no state refers to. A standby sharing the
   * state dir only reads: a conf file the leader wrote for a run not yet in state.json is not an
   * orphan to it.
   */
  async load(options: { owner?: boolean } = {}): Promise<void> {
    const owner = options.owner ?? true;
    // Another leader may have replaced the journal since (this process read-only meanwhile).
    await this.#heldWriter?.release();
    this.#settledSinceLoad = false;
    // Finished runs' confs and results are the owner's only (an older version made it 0755).
    await ensurePrivateDir(this.#historyDir);
    const active = await ActiveStateFile.open(this.#stateDir, this.#writer, this.#confs);
    await this.#history.load();
    this.#active = active;
    // A crash between the two writes of archive() or reactivate() leaves a run in both files: a
    // finished copy in state.json was being archived (history wins), an unfinished one was being
    // brought back (state.json wins). A finished copy that ended later than the archived one is a
    // rerun (a backfill's) that ended before it was archived: state.json wins, the tick archives it.
    for (const [id, run] of Object.entries(active.data.runs)) {
      const dagId = this.#history.dagOf(id);
      if (!dagId) continue;
      const archived = this.#history.getIn(dagId, id);
      const rerunEnded = (run.endedAt ?? "") > (archived?.endedAt ?? "");
      if ((run.state === "success" || run.state === "failed") && !rerunEnded) delete active.data.runs[id];
      else if (owner) await this.#dropFromHistory(dagId, id);
      else this.#history.forget(dagId, id);
    }
    if (!owner) return;
    // Files of runs pruned just before a crash (the state write happens first).
    const known = (runId: string) => this.#history.has(runId) || Object.hasOwn(active.data.runs, runId);
    await this.#logFolders.sweep(known);
    await this.#confs.sweep(known);
  }

  get #db(): ActiveStateFile {
    if (!this.#active) throw new Error("RunStore used before load()");
    return this.#active;
  }

  get state(): Readonly<ActiveState> {
    return this.#db.data;
  }

  /** Moves on whenever active state may have changed: readers cache what they derive from it by this. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * How many changes have been applied to active state. Unlike `revision`, it has not moved yet
   * inside the change being applied: a change can tell whether any other was applied since a
   * count it took (see src/scheduler/due-preparation.ts). Active state is changed only through
   * `update`: a change made to `state` directly would not be counted.
   */
  get changesApplied(): number {
    return this.#changesApplied;
  }

  /** Why the last write failed, if it did (health reports it). */
  get writeError(): Error | undefined {
    return this.#lastWriteError;
  }

  dag(id: string): DagState | undefined {
    return ownValue(this.#db.data.dags, id);
  }

  activeRuns(): Run[] {
    return Object.values(this.#db.data.runs);
  }

  /** Adds a run to active state (in an update), storing its definition once. */
  addRun(state: ActiveState, run: Run): void {
    this.addStateCopy(state, this.stateCopyOf(run), run.definition);
  }

  /** The copy of `run` that active state holds (its definition by key): addRun's, made ahead of time. */
  stateCopyOf(run: Run): Run {
    const { definition, ...rest } = run;
    if (definition) rest.definitionKey = definitionKeyOf(definition);
    return rest;
  }

  /** A state copy's JSON and shape, made ahead with `placeholder` for its times (see text-ahead.ts). */
  runTextAhead(copy: Run, placeholder: string): TextAhead | undefined {
    const text = this.#db.runText(copy);
    return text === undefined ? undefined : textAhead(copy, text, placeholder);
  }

  /**
   * Adds a state copy (in an update). `ahead`, made by runTextAhead before its times were set to
   * `stamp`, spares the write serialising it.
   */
  addStateCopy(
    state: ActiveState,
    copy: Run,
    definition?: DagDefinition,
    ahead?: TextAhead,
    stamp = "",
  ): void {
    if (definition && copy.definitionKey) state.definitions[copy.definitionKey] ??= definition;
    state.runs[copy.id] = copy;
    if (ahead) this.#db.giveText("runs", copy.id, copy, withStamp(ahead, stamp));
  }

  /**
   * The text and shape a DAG's state will have once its lastScheduledAt is `logicalDate` (made
   * ahead, with the run that sets it); `giveDagText` hands it to the write that changes it.
   */
  dagTextAhead(dagState: DagState, lastScheduledAt: string): GivenText | undefined {
    return dagTextAhead(dagState, lastScheduledAt);
  }

  giveDagText(dagId: string, dagState: DagState, given: GivenText): void {
    this.#db.giveText("dags", dagId, dagState, given);
  }

  /**
   * Writes the definitions of loaded DAGs ahead of their runs, and keeps them while they are
   * loaded: a due second then writes only its runs (a definition is most of a new run's bytes).
   * `release` names definitions no longer loaded: they go once no active run uses them. Many are
   * written DEFINITIONS_PER_WRITE a write, and the journal is compacted once, after the last: 10,000
   * at start otherwise rewrote state.json whole at 1, 2, 4 and 8 MB of journal, each a string of
   * that size at once (RSS after loading 10,000 DAGs).
   */
  async keepDefinitions(add: Iterable<DagDefinition>, release: Iterable<string> = []): Promise<void> {
    const added = new Map<string, DagDefinition>();
    for (const definition of add) added.set(definitionKeyOf(definition), definition);
    const released = [...release].filter((key) => !added.has(key));
    for (const key of added.keys()) this.#keptDefinitions.add(key);
    for (const key of released) this.#keptDefinitions.delete(key);
    const entries = [...added];
    const settles = this.#settles;
    this.#compactionPutOff++;
    try {
      for (let at = 0; at < Math.max(entries.length, 1); at += DEFINITIONS_PER_WRITE) {
        // Stopped (meanwhile, or before a call queued behind the burst): the rest are written with
        // their runs, as after a refused line.
        if (this.#settles !== settles || this.#settledSinceLoad) break;
        const chunk = entries.slice(at, at + DEFINITIONS_PER_WRITE);
        await this.update((state) => {
          // The loaded object, even for a key already there (read from disk: the same JSON), so the
          // state and the registry share one copy; the journal sees no change for it.
          for (const [key, definition] of chunk) state.definitions[key] = definition;
          if (at === 0 && released.length > 0) dropUnusedDefinitions(state, this.#keptDefinitions, released);
        });
      }
    } finally {
      this.#compactionPutOff--;
      this.#compactIfDue();
    }
  }

  definitionOf(run: Run): DagDefinition | undefined {
    return run.definitionKey ? ownValue(this.#db.data.definitions, run.definitionKey) : run.definition;
  }

  /**
   * Changes active state and waits until it is on disk. Changes that arrive while a write is in
   * flight are applied together, in order, and written by the next write (a group commit); each
   * caller is answered once the write holding its change is durable. If that write fails, active
   * state is back to what is on disk and every change of the group rejects.
   */
  update(change: (state: ActiveState) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let group = this.#openGroup;
      if (!group) {
        const opened: PendingChange[] = [];
        this.#openGroup = group = opened;
        void this.#persist(() => this.#commit(opened)).catch(() => undefined);
      }
      group.push({ change, resolve, reject });
    });
  }

  /** Applies a group's changes and writes them once; answers each caller. */
  async #commit(group: PendingChange[]): Promise<void> {
    // Later changes start the next group: this one is being applied and written.
    if (this.#openGroup === group) this.#openGroup = undefined;
    const db = this.#db;
    this.#revision++;
    const failed = new Map<PendingChange, unknown>();
    // A change that threw may have changed state half-way: again from the disk's state, without it.
    while (!applyAll(group, db.data, failed, () => this.#changesApplied++)) await db.revert();
    try {
      await db.write();
    } catch (error) {
      // Rolled back to what is on disk: no change of the group holds.
      this.#lastWriteError = error as Error;
      for (const pending of group) pending.reject(failed.get(pending) ?? error);
      throw error;
    } finally {
      this.#revision++;
    }
    // Before any caller resumes: health reads it right after an acknowledged write.
    this.#lastWriteError = undefined;
    for (const pending of group) {
      if (failed.has(pending)) pending.reject(failed.get(pending));
      else pending.resolve();
    }
    // After the callers are answered, before the next group: that group waits for it.
    this.#compactIfDue();
  }

  /** Queues a compaction when the journal has outgrown state.json and none is put off. */
  #compactIfDue(): void {
    const db = this.#db;
    if (this.#compactionPutOff > 0 || !db.needsCompaction) return;
    void this.#persist(async () => {
      if (db.needsCompaction) await db.compact();
    }).catch(() => undefined);
  }

  /**
   * At a clean stop, after the last change: state.json is written whole when the journal holds
   * changes, so it alone is the state (an older updraft, a backup of state.json only). A disk
   * that refuses leaves the journal, which holds every change anyway.
   */
  async settle(): Promise<void> {
    // A burst of definitions under way writes no line after this (the stop then gives the state dir up).
    this.#settles++;
    this.#settledSinceLoad = true;
    const db = this.#db;
    await this.#persist(async () => {
      if (db.journaled) await db.compact();
      // A later write opens the journal again.
      await this.#heldWriter?.release();
    }).catch(() => undefined);
  }

  recordSkip(state: ActiveState, dagId: string, logicalDate: string, reason: string, now: Date): void {
    const dag = ownValue(state.dags, dagId);
    if (!dag) return;
    dag.skipped.push({ logicalDate, reason, at: now.toISOString() });
    if (dag.skipped.length > SKIPPED_KEPT) dag.skipped.splice(0, dag.skipped.length - SKIPPED_KEPT);
  }

  /** Moves a finished run to its DAG's history file (trimmed to keepRuns), then out of active state. */
  archive(run: Run): Promise<void> {
    return this.archiveAll([run]);
  }

  /** `archive` for many runs: one history write per DAG, then one state write for them all. */
  async archiveAll(runs: readonly Run[]): Promise<void> {
    if (runs.length === 0) return;
    const byDag = new Map<string, Run[]>();
    for (const run of runs) {
      const ofDag = byDag.get(run.dagId);
      if (ofDag) ofDag.push(run);
      else byDag.set(run.dagId, [run]);
    }
    const dropped: Run[] = [];
    // Each DAG on its own: one history that cannot be written must not hold back every other's.
    const archived: Run[] = [];
    let failure: unknown;
    await this.#persist(async () => {
      for (const [dagId, finished] of byDag)
        await this.#history.addAll(dagId, finished).then(
          (trimmed) => (dropped.push(...trimmed), archived.push(...finished)),
          (error: unknown) => (failure ??= error),
        );
      // Still the store's write error (health reports it) until a later write succeeds.
      if (failure !== undefined) throw failure;
    }).catch(() => undefined);
    if (archived.length > 0) await this.#archived(archived, dropped);
    if (failure !== undefined) throw failure;
  }

  /** Takes runs whose history write is durable out of active state, then removes the trimmed runs' files. */
  async #archived(runs: readonly Run[], dropped: readonly Run[]): Promise<void> {
    await this.update((state) => {
      for (const run of runs) delete state.runs[run.id];
      // Once per batch, not per run.
      dropUnusedDefinitions(state, this.#keptDefinitions);
    });
    // Only once no state file refers to them any more; one that fails is swept at the next start.
    await this.#logFolders.remove(dropped).catch(() => undefined);
    await this.#confs.remove(dropped.map((r) => r.id)).catch(() => undefined);
  }

  /** Brings a finished run back into active state (a task of it was cleared). */
  async reactivate(run: Run): Promise<void> {
    await this.update((state) => this.addRun(state, run));
    await this.#dropFromHistory(run.dagId, run.id);
  }

  async #dropFromHistory(dagId: string, runId: string): Promise<void> {
    await this.#persist(() => this.#history.remove(dagId, runId));
  }

  getRun(id: string): Run | undefined {
    const active = ownValue(this.#db.data.runs, id);
    return active ?? this.#history.get(id);
  }

  /** Active runs as they are, finished ones by their entry: what a page lists before it is read. */
  #pageOf(dagId: string, limit: number, before?: RunCursor): Array<Run | HistoryEntry> {
    const older = (run: RunCursor) => before === undefined || newestFirst(run, before) > 0;
    const active = Object.values(this.#db.data.runs)
      .filter((run) => run.dagId === dagId && older(run))
      .sort(newestFirst);
    const page: Array<Run | HistoryEntry> = [];
    const finished = this.#history.sortedEntries(dagId);
    let a = 0;
    let f = finished.findIndex(older);
    if (f < 0) f = finished.length;
    // Merge the few active runs into the sorted history, stopping at `limit`.
    while (page.length < limit && (a < active.length || f < finished.length)) {
      const nextActive = active[a];
      const nextFinished = finished[f];
      if (nextActive && (!nextFinished || newestFirst(nextActive, nextFinished) <= 0)) {
        page.push(nextActive);
        a++;
      } else if (nextFinished) {
        // A run being archived is in both places until its state write lands: list it once.
        if (!Object.hasOwn(this.#db.data.runs, nextFinished.id)) page.push(nextFinished);
        f++;
      }
    }
    return page;
  }

  /** The runs of a page: finished ones read from their DAGs' histories, one read per DAG at most. */
  #read(page: ReadonlyArray<Run | HistoryEntry>): Run[] {
    const finished = new Map<string, HistoryEntry[]>();
    for (const item of page)
      if (!this.#isActive(item)) {
        const entries = finished.get(item.dagId) ?? [];
        entries.push(item);
        finished.set(item.dagId, entries);
      }
    const read = new Map<string, Run>();
    for (const [dagId, entries] of finished)
      for (const run of this.#history.runsOf(dagId, entries)) read.set(run.id, run);
    return page.flatMap((item) => (this.#isActive(item) ? [item] : (read.get(item.id) ?? [])));
  }

  #isActive(item: Run | HistoryEntry): item is Run {
    return "tasks" in item;
  }

  /**
   * A DAG's runs, active and finished, newest logical date first (ties: by id); with `before`, only
   * the runs after that one in this order (a cursor for the next page).
   */
  runsOf(dagId: string, limit: number, before?: RunCursor): Run[] {
    return this.#read(this.#pageOf(dagId, limit, before));
  }

  /** Runs of every DAG, in `runsOf` order. */
  allRuns(limit: number, before?: RunCursor): Run[] {
    const dagIds = new Set(this.#history.dagIds());
    for (const run of Object.values(this.#db.data.runs)) dagIds.add(run.dagId);
    const page = [...dagIds]
      .flatMap((dagId) => this.#pageOf(dagId, limit, before))
      .sort(newestFirst)
      .slice(0, limit);
    return this.#read(page);
  }

  /** Runs of every DAG, newest first (for the status page). */
  recentRuns(limit: number): Run[] {
    const active = this.#db.data.runs;
    // The newest `limit` kept in order as candidates come, not all sorted: with 10,000 DAGs the
    // candidates are 100,000 runs, and sorting them cost the status page ~50 ms.
    const newest: Array<Run | HistoryEntry> = [];
    const offer = (run: Run | HistoryEntry) => {
      const last = newest[limit - 1];
      if (last && run.queuedAt <= last.queuedAt) return;
      let at = newest.length;
      while (at > 0 && (newest[at - 1] as Run | HistoryEntry).queuedAt < run.queuedAt) at--;
      newest.splice(at, 0, run);
      if (newest.length > limit) newest.pop();
    };
    if (limit <= 0) return [];
    for (const run of Object.values(active)) offer(run);
    for (const entry of this.#history.latestArchived(limit))
      if (!Object.hasOwn(active, entry.id)) offer(entry);
    return this.#read(newest);
  }

  /** Serialises changes and their writes (each file write is atomic, not ordered across callers). */
  #persist(write: () => Promise<void>): Promise<void> {
    const next = this.#writing.then(write, write);
    this.#writing = next.then(
      () => {
        this.#lastWriteError = undefined;
      },
      (error: Error) => {
        this.#lastWriteError = error;
      },
    );
    return next;
  }
}

/** Applies the changes not failed yet; false when one threw (it is added to `failed`). */
function applyAll(
  group: PendingChange[],
  state: ActiveState,
  failed: Map<PendingChange, unknown>,
  applied: () => void,
): boolean {
  for (const pending of group) {
    if (failed.has(pending)) continue;
    try {
      pending.change(state);
      applied();
    } catch (error) {
      failed.set(pending, error);
      return false;
    }
  }
  return true;
}

/** Removes definitions (all, or those of `only`) no active run uses and that are not kept. */
function dropUnusedDefinitions(
  state: ActiveState,
  kept: ReadonlySet<string>,
  only?: readonly string[],
): void {
  const used = new Set(Object.values(state.runs).map((r) => r.definitionKey));
  for (const key of only ?? Object.keys(state.definitions))
    if (!used.has(key) && !kept.has(key)) delete state.definitions[key];
}
