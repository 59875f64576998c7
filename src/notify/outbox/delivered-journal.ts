import { open, readFile } from "node:fs/promises";
import { STATE_FILE_MODE, type StateWriter, syncFolder } from "../../store/durable-write.ts";
import path from "node:path";

/** Hard bound on keys kept for their age, whatever the rate: memory stays bounded in a flood. */
const AGE_KEPT_FACTOR = 10;

/**
 * The keys of the messages most recently done with (delivered or given up on), so enqueueing one of
 * them again is a no-op, also after a restart. Keeps the newest `limit` keys, and beyond them those
 * done within `keepMs` (up to 10 × `limit`): a restart tells again what runs that ended in that time
 * should have told, and none of it may go twice. Each line is `<key> <done at, ms>` (older files
 * have the key alone). Appended with fsync before a message file is removed; rewritten with the
 * kept keys when it has grown to twice their number.
 */
export class DeliveredJournal {
  /** Key → when it was done (ms; 0 when the line did not say), oldest first. */
  readonly #keys = new Map<string, number>();
  #lines = 0;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly writer: StateWriter,
    readonly limit = 10_000,
    readonly keepMs = 0,
    readonly now: () => number = Date.now,
  ) {}

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  async load(): Promise<void> {
    this.#keys.clear();
    const text = await readFile(this.file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const lines = text === "" ? [] : text.split("\n");
    // 0 also means "no file yet": the first append then syncs the folder to make the file's entry durable.
    this.#lines = lines.length;
    // A line cut short by a crash is not a key: skipped.
    for (const line of lines) {
      const match = /^([0-9a-f]{40})(?: (\d{1,15}))?$/.exec(line);
      if (match?.[1]) this.#remember(match[1], Number(match[2] ?? 0));
    }
  }

  /** Appends after any append under way, so a compaction never replaces the file under an append. */
  add(keys: readonly string[]): Promise<void> {
    const append = () => this.#append(keys);
    const added = this.#tail.then(append, append);
    this.#tail = added.catch(() => undefined);
    return added;
  }

  async #append(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const at = this.now();
    const handle = await open(this.file, "a", STATE_FILE_MODE);
    try {
      await handle.writeFile(keys.map((key) => `${key} ${at}\n`).join(""));
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (this.#lines === 0) await syncFolder(path.dirname(this.file));
    for (const key of keys) this.#remember(key, at);
    this.#lines += keys.length;
    if (this.#lines > 2 * Math.max(this.limit, this.#keys.size)) {
      const text = [...this.#keys].map(([key, doneAt]) => `${key} ${doneAt}\n`).join("");
      await this.writer.write(this.file, text);
      this.#lines = this.#keys.size;
    }
  }

  #remember(key: string, doneAt: number): void {
    this.#keys.delete(key);
    this.#keys.set(key, doneAt);
    const recent = this.keepMs > 0 ? this.now() - this.keepMs : Number.POSITIVE_INFINITY;
    while (this.#keys.size > this.limit) {
      const oldest = this.#keys.entries().next();
      if (oldest.done) break;
      const [oldestKey, oldestAt] = oldest.value;
      if (oldestAt >= recent && this.#keys.size <= AGE_KEPT_FACTOR * this.limit) break;
      this.#keys.delete(oldestKey);
    }
  }
}
