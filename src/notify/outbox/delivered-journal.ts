import { open, readFile } from "node:fs/promises";
import { STATE_FILE_MODE, type StateWriter, syncFolder } from "../../store/durable-write.ts";
import path from "node:path";

/**
 * The keys of the messages most recently done with (delivered or given up on), so enqueueing one of
 * them again is a no-op, also after a restart. Appended with fsync before a message file is removed;
 * rewritten with the newest `limit` keys when it has grown to twice that.
 */
export class DeliveredJournal {
  readonly #keys = new Set<string>();
  #lines = 0;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly writer: StateWriter,
    readonly limit = 10_000,
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
    for (const line of lines) if (/^[0-9a-f]{40}$/.test(line)) this.#remember(line);
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
    const handle = await open(this.file, "a", STATE_FILE_MODE);
    try {
      await handle.writeFile(keys.map((key) => `${key}\n`).join(""));
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (this.#lines === 0) await syncFolder(path.dirname(this.file));
    for (const key of keys) this.#remember(key);
    this.#lines += keys.length;
    if (this.#lines > 2 * this.limit) {
      await this.writer.write(this.file, [...this.#keys].map((key) => `${key}\n`).join(""));
      this.#lines = this.#keys.size;
    }
  }

  #remember(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.limit) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }
}
