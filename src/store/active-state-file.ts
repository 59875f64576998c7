import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState } from "../runs/active-state.ts";
import { definitionTextOf, type Run } from "../runs/run-model.ts";
import type { ConfFiles } from "./conf-files.ts";
import type { StateWriter } from "./durable-write.ts";
import { idRecord } from "./id-record.ts";
import { type EntryShape, sameShape, shapeOf } from "./entry-shape.ts";
import { CorruptStateError } from "./state-file.ts";
import {
  type EntryChange,
  JOURNALED,
  type Journaled,
  journalHeader,
  journalLine,
  journalLineParts,
  readJournal,
} from "./state-journal.ts";

/** Tests check that an entry skipped for its unchanged shape has the JSON on disk (vitest.config.ts). */
const VERIFY_SHAPES = process.env.UPDRAFT_VERIFY_RUN_SHAPES === "1";
/** A journal smaller than this is never compacted, however small state.json is. */
export const COMPACT_MIN_BYTES = 1 << 20;
/** Reads of state.json and its journal tried again when a compaction ran between them (a standby's). */
const READ_ATTEMPTS = 5;

/** A run's shape and the key it was written under. */
interface KeyedShape {
  key: string;
  /** Undefined for a definition: those never change, the same object is the same JSON. */
  shape: EntryShape | undefined;
}

/** An entry's JSON and shape, made by its owner before it was added (a due second prepared while idle). */
export interface GivenText {
  text: string;
  shape: EntryShape;
}

/** Active state as read from disk: each entry's text as written, parsed into `data`. */
interface OnDisk {
  data: ActiveState;
  generation: number;
  snapshotBytes: number;
  /** Appends may continue the journal: it exists, is of this generation and ends in a newline. */
  journalReady: boolean;
  journalBytes: number;
  /** The journal holds changes (or the start of one) that state.json does not. */
  journalChanges: boolean;
}

/**
 * Active state (`state.json`) with a journal (`state.journal`): a write appends one line holding
 * only the entries (runs, DAG states, definitions, backfills) whose JSON changed, with one
 * fdatasync; once the journal outgrows state.json, state.json is rewritten whole (a new
 * generation) and the journal started again. Entries are found changed by comparing their JSON
 * with what is on disk, so a change made any way at all is written. A writer without `append`
 * (test fakes) gets whole-file writes of state.json only, as before the journal.
 */
export class ActiveStateFile {
  data: ActiveState;
  readonly #file: string;
  readonly #journalFile: string;
  readonly #writer: StateWriter;
  readonly #confs: ConfFiles;
  /** Each entry's text as on disk (state.json and the journal together). */
  readonly #written = new Map<Journaled, Map<string, string>>();
  /** The fields besides the entries (`version`), as on disk. */
  #restWritten: string;
  #generation: number;
  #journalReady: boolean;
  #journalBytes: number;
  #snapshotBytes: number;
  /** Each run's shape when its text on disk was made (see run-shape.ts). */
  readonly #shapes = new WeakMap<object, KeyedShape>();
  /** The journal holds changes state.json does not. */
  #appended: boolean;
  /** The last write failed (the disk was full or read-only). */
  #refused = false;
  /**
   * Texts and shapes made ahead for the next write, by collection and key (see giveText): used if
   * the entry is the same object with that shape. Each write forgets them.
   */
  readonly #given = new Map<Journaled, Map<string, GivenText & { entry: object }>>();

  private constructor(stateDir: string, writer: StateWriter, confs: ConfFiles, read: OnDisk) {
    this.#file = path.join(stateDir, "state.json");
    this.#journalFile = path.join(stateDir, "state.journal");
    this.#writer = writer;
    this.#confs = confs;
    this.data = read.data;
    this.#generation = read.generation;
    this.#journalReady = read.journalReady && writer.append !== undefined;
    this.#journalBytes = read.journalBytes;
    this.#appended = read.journalChanges;
    this.#snapshotBytes = read.snapshotBytes;
    const { rest, entries } = split(read.data);
    this.#restWritten = JSON.stringify(rest);
    for (const collection of JOURNALED) {
      const texts = new Map<string, string>();
      for (const [key, value] of Object.entries(entries[collection]))
        texts.set(
          key,
          collection === "definitions" ? definitionTextOf(value as DagDefinition) : JSON.stringify(value),
        );
      this.#written.set(collection, texts);
    }
  }

  /** Reads state.json and replays its journal; throws CorruptStateError for either unreadable. */
  static async open(stateDir: string, writer: StateWriter, confs: ConfFiles): Promise<ActiveStateFile> {
    const read = await readOnDisk(stateDir);
    const file = new ActiveStateFile(stateDir, writer, confs, read);
    await confs.decode(Object.values(file.data.runs));
    return file;
  }

  /** Whether the journal holds changes that state.json does not. */
  get journaled(): boolean {
    return this.#appended;
  }

  /** Whether the journal has grown past state.json (compact() when no write is in flight). */
  get needsCompaction(): boolean {
    return this.#journalReady && this.#journalBytes > Math.max(COMPACT_MIN_BYTES, this.#snapshotBytes);
  }

  /**
   * Makes `data` durable: its changed entries appended to the journal, or state.json written whole.
   * When the disk refuses, `data` is put back to what is on disk and the error is thrown.
   */
  async write(): Promise<void> {
    try {
      await this.#write();
    } finally {
      this.#given.clear();
    }
  }

  async #write(): Promise<void> {
    const undo: EntryChange[] = [];
    const shapes = new Map<object, KeyedShape>();
    let rest: string;
    try {
      const parts = split(this.data);
      const changes = await this.#changes(parts.entries, shapes);
      rest = JSON.stringify(parts.rest);
      const journaled = this.#writer.append !== undefined;
      // Nothing to write: what is on disk is already this. After a refused write, a write proves
      // the disk takes one again (health waits for it); a whole-file writer writes as it always did.
      if (journaled && !this.#refused && changes.length === 0 && rest === this.#restWritten) return;
      // After a refusal, whole: an append can still land in the last block's slack of a full disk.
      if (journaled && this.#journalReady && !this.#refused && rest === this.#restWritten) {
        this.#journalBytes += await this.#append(changes);
        this.#appended = true;
        // On disk now (nothing to undo).
        for (const change of changes) this.#record(change);
      } else {
        // state.json is made of what is on disk: the changes first, undone if it is refused.
        for (const change of changes) undo.push(this.#record(change));
        await this.#snapshot(rest);
      }
    } catch (error) {
      this.#refused = true;
      for (const change of undo.reverse()) this.#record(change);
      await this.revert();
      throw error;
    }
    this.#refused = false;
    this.#restWritten = rest;
    for (const [entry, shape] of shapes) this.#shapes.set(entry, shape);
  }

  /** Appends the changes' line to the journal; resolves to its bytes. */
  async #append(changes: readonly EntryChange[]): Promise<number> {
    const writer = this.#writer;
    if (writer.appendParts) return writer.appendParts(this.#journalFile, journalLineParts(changes));
    const line = journalLine(changes);
    await writer.append?.(this.#journalFile, line);
    return Buffer.byteLength(line);
  }

  /**
   * Rewrites state.json whole from what is on disk and starts a new journal. Waits for a turn of
   * the event loop first: the write that queued it (a due second's runs) is acknowledged, and its
   * caller's work that needs no I/O (the executor starts) comes before this one's ~30 ms of text.
   */
  async compact(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.#snapshot(this.#restWritten);
    } catch (error) {
      // As after a refused write: the next write is whole, even with nothing to change, so the
      // store is reported unable to write until the disk takes a whole file again.
      this.#refused = true;
      throw error;
    }
  }

  /** Puts `data` back to what is on disk (a change that failed half-way leaves nothing). */
  async revert(): Promise<void> {
    const data = JSON.parse(this.#restWritten) as ActiveState;
    for (const collection of JOURNALED) {
      const record = idRecord<unknown>();
      for (const [key, text] of this.#written.get(collection) ?? []) record[key] = JSON.parse(text);
      (data as unknown as Record<Journaled, Record<string, unknown>>)[collection] = record;
    }
    await this.#confs.decode(Object.values(data.runs));
    this.data = data;
  }

  /** Entries whose JSON differs from what is on disk, and entries removed. */
  async #changes(
    entries: Record<Journaled, Record<string, unknown>>,
    shapes: Map<object, KeyedShape>,
  ): Promise<EntryChange[]> {
    const changes: EntryChange[] = [];
    for (const collection of JOURNALED) {
      const record = entries[collection];
      const written = this.#written.get(collection) ?? new Map<string, string>();
      // Entries of `record` that are on disk: when that is all of them, none was removed.
      let kept = 0;
      for (const key of Object.keys(record)) {
        const value = record[key];
        // JSON.stringify leaves out a key whose value is undefined.
        if (value === undefined) continue;
        const entry = value as object;
        const before = written.get(key);
        if (before !== undefined) kept++;
        if (this.#unchanged(collection, key, entry, before)) continue;
        const given = this.#givenText(collection, key, entry);
        if (given) {
          shapes.set(entry, { key, shape: given.shape });
          if (before !== given.text) changes.push({ collection, key, text: given.text });
          continue;
        }
        const text =
          this.#textOf(collection, value) ?? JSON.stringify(await this.#confs.stored(value as Run));
        // Not for an entry new in this write (a due second's 10,000 runs): the next write that finds
        // it unchanged records it, off the due step's path.
        if (before !== undefined || collection === "definitions")
          shapes.set(entry, { key, shape: collection === "definitions" ? undefined : shapeOf(entry) });
        if (before !== text) changes.push({ collection, key, text });
      }
      // Not a lookup per entry on disk on every write (30,000 at 10,000 DAGs) when none is gone.
      if (kept < written.size)
        for (const key of written.keys())
          if (!Object.hasOwn(record, key) || record[key] === undefined)
            changes.push({ collection, key, text: null });
    }
    return changes;
  }

  /**
   * The entry is the object last written under `key` with the shape it had then, so `written` is
   * its JSON (checked against the JSON in tests).
   */
  #unchanged(collection: Journaled, key: string, entry: object, written: string | undefined): boolean {
    if (typeof entry !== "object" || entry === null || written === undefined) return false;
    const known = this.#shapes.get(entry);
    if (known?.key !== key) return false;
    if (known.shape !== undefined && !sameShape(entry, known.shape)) return false;
    if (VERIFY_SHAPES) {
      const text =
        collection === "runs"
          ? JSON.stringify(this.#confs.storedSync(entry as Run) ?? entry)
          : collection === "definitions"
            ? definitionTextOf(entry as DagDefinition)
            : JSON.stringify(entry);
      if (text !== written)
        throw new Error(
          `${collection} entry ${key} changed without its shape changing: ${text} was written as ${written}`,
        );
    }
    return true;
  }

  /**
   * Gives the JSON text and shape of a run or DAG state as the next write will find it (made ahead
   * of time, see src/scheduler/due-preparation.ts). The write uses the text only if the entry has
   * that shape then, else it serialises the entry as any other; tests check the text against the
   * JSON. A text is used by one write at most.
   */
  giveText(collection: "runs" | "dags", key: string, entry: object, given: GivenText): void {
    let texts = this.#given.get(collection);
    if (!texts) this.#given.set(collection, (texts = new Map()));
    // A literal, not a spread (10,000 at a due second).
    texts.set(key, { text: given.text, shape: given.shape, entry });
  }

  /** The JSON text `run` would be written as now; undefined when its large conf needs a file first. */
  runText(run: Run): string | undefined {
    return this.#textOf("runs", run);
  }

  #givenText(collection: Journaled, key: string, entry: object): GivenText | undefined {
    const given = this.#given.get(collection)?.get(key);
    if (given?.entry !== entry || !sameShape(entry, given.shape)) return undefined;
    if (VERIFY_SHAPES) {
      const text = this.#textOf(collection, entry);
      if (text !== given.text)
        throw new Error(
          `${collection} entry given as ${given.text} is ${String(text)}: the text made ahead was wrong`,
        );
    }
    return given;
  }

  /** The entry's JSON as stored; undefined for a run whose large conf must be written first. */
  #textOf(collection: Journaled, value: unknown): string | undefined {
    if (collection === "definitions") return definitionTextOf(value as DagDefinition);
    if (collection !== "runs") return JSON.stringify(value);
    const stored = this.#confs.storedSync(value as Run);
    return stored === undefined ? undefined : JSON.stringify(stored);
  }

  /** Sets an entry's text as on disk; returns the change that undoes it. */
  #record({ collection, key, text }: EntryChange): EntryChange {
    const written = this.#written.get(collection) ?? new Map<string, string>();
    this.#written.set(collection, written);
    const before = written.get(key) ?? null;
    if (text === null) written.delete(key);
    else written.set(key, text);
    return { collection, key, text: before };
  }

  /**
   * state.json with every entry as on disk, under the next generation, then an empty journal of it.
   * Once state.json is written the change is durable, whether or not the journal's start is.
   */
  async #snapshot(rest: string): Promise<void> {
    const journaled = this.#writer.append !== undefined;
    const next = this.#generation + 1;
    // In parts, never one string: with 10,000 definitions state.json is ~20 MB, and one string of
    // it (and its copies) waited for a full GC in the large-object space (RSS after load).
    const parts: string[] = [];
    const restFields = rest.slice(1, -1);
    if (journaled) parts.push(`{"journalGeneration":${next}`);
    if (restFields !== "") parts.push(parts.length === 0 ? `{${restFields}` : `,${restFields}`);
    for (const collection of JOURNALED) {
      parts.push(`${parts.length === 0 ? "{" : ","}${JSON.stringify(collection)}:{`);
      let first = true;
      for (const [key, text] of this.#written.get(collection) ?? []) {
        parts.push(`${first ? "" : ","}${JSON.stringify(key)}:${text}`);
        first = false;
      }
      parts.push("}");
    }
    parts.push("}");
    if (journaled) {
      // Before the write: one that fails may have renamed state.json in already (its folder fsync
      // failed), and appends to the older journal would then be ignored. The next write is whole.
      this.#generation = next;
      this.#journalReady = false;
    }
    if (this.#writer.writeParts) await this.#writer.writeParts(this.#file, parts);
    else await this.#writer.write(this.#file, parts.join(""));
    this.#snapshotBytes = parts.reduce((bytes, part) => bytes + Buffer.byteLength(part), 0);
    this.#appended = false;
    if (!journaled) return;
    const header = journalHeader(next, snapshotDigest(parts));
    // Until this lands, appends would go to a journal the next read ignores: the next write is whole.
    await this.#writer.write(this.#journalFile, header).then(
      () => {
        this.#journalReady = true;
        this.#journalBytes = Buffer.byteLength(header);
      },
      () => undefined,
    );
  }
}

/** The id-keyed records of active state, and the other fields. */
function split(data: ActiveState): {
  rest: Record<string, unknown>;
  entries: Record<Journaled, Record<string, unknown>>;
} {
  const { definitions, dags, runs, backfills, ...rest } = data;
  return { rest, entries: { definitions, dags, runs, backfills } };
}

/** Active state as on disk (state.json with its journal replayed), confs by reference: for tools and tests. */
export async function readActiveState(stateDir: string): Promise<ActiveState> {
  return (await readOnDisk(stateDir)).data;
}

/** state.json and its journal, read as one; tried again when a compaction ran between the two reads. */
async function readOnDisk(stateDir: string): Promise<OnDisk> {
  const file = path.join(stateDir, "state.json");
  const journalFile = path.join(stateDir, "state.journal");
  for (let attempt = 1; ; attempt++) {
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    const parsed = text === undefined ? emptyActiveState() : parseSnapshot(file, text);
    const { journalGeneration, ...fields } = parsed as ActiveState & { journalGeneration?: unknown };
    const generation = typeof journalGeneration === "number" ? journalGeneration : 0;
    const data = reviveActiveState(fields as ActiveState);
    const journal = await readJournal(journalFile);
    const snapshotBytes = text === undefined ? 0 : Buffer.byteLength(text);
    if (journal === undefined || journal.generation < generation)
      return { data, generation, snapshotBytes, journalReady: false, journalBytes: 0, journalChanges: false };
    if (journal.generation > generation) {
      if (attempt < READ_ATTEMPTS) continue;
      throw new CorruptStateError(
        journalFile,
        new Error(
          `it continues generation ${journal.generation}, but state.json is generation ${generation}`,
        ),
      );
    }
    // An older updraft (state.json only) keeps journalGeneration as it found it when it writes
    // state.json: the journal's lines would then undo what it did since (runs it archived back).
    if (journal.snapshot !== undefined && journal.snapshot !== snapshotDigest(text ?? "")) {
      // Nothing in it (an updraft that stopped cleanly before the older one ran): nothing to undo.
      if (journal.groups.length === 0 && !journal.torn)
        return {
          data,
          generation,
          snapshotBytes,
          journalReady: false,
          journalBytes: 0,
          journalChanges: false,
        };
      if (attempt < READ_ATTEMPTS) continue;
      throw new CorruptStateError(
        journalFile,
        new Error(
          `state.json was written since this journal was started (by an older updraft, or by hand), so its lines do not apply to it`,
        ),
      );
    }
    for (const group of journal.groups)
      for (const [collection, key, value] of group) {
        const record = (data as unknown as Record<Journaled, Record<string, unknown>>)[collection];
        if (value === null) delete record[key];
        else record[key] = value;
      }
    return {
      data,
      generation,
      snapshotBytes,
      journalReady: !journal.torn,
      journalBytes: journal.bytes,
      journalChanges: journal.groups.length > 0 || journal.torn,
    };
  }
}

/** Names the state.json text a journal continues (in its header). */
function snapshotDigest(text: string | readonly string[]): string {
  const hash = createHash("sha1");
  for (const part of typeof text === "string" ? [text] : text) hash.update(part);
  return hash.digest("base64url");
}

function parseSnapshot(file: string, text: string): ActiveState {
  try {
    return JSON.parse(text) as ActiveState;
  } catch (error) {
    throw new CorruptStateError(file, error);
  }
}

/** Active state with nothing in it. */
export function emptyActiveState(): ActiveState {
  return { version: 1, dags: idRecord(), runs: idRecord(), definitions: idRecord(), backfills: idRecord() };
}

/** Active state as parsed from JSON, with its id-keyed records made prototype-free again. */
export function reviveActiveState(data: ActiveState): ActiveState {
  data.dags = idRecord(data.dags);
  data.runs = idRecord(data.runs);
  data.definitions = idRecord(data.definitions);
  // State files written before backfills existed have none.
  data.backfills = idRecord(data.backfills);
  return data;
}
