import { readFile } from "node:fs/promises";
import path from "node:path";
import type { StateWriter } from "../store/durable-write.ts";

/** How many posted commits are remembered: far more than can be queued or re-synced after a restart. */
export const POSTED_COMMITS_KEPT = 1000;

/**
 * The commits whose status has been posted, in `<state dir>/github-statuses.json`, so a restart
 * (which loads the branch head again) does not post it again. Oldest forgotten first.
 */
export class PostedCommits {
  readonly #file: string;
  readonly #writer: StateWriter;
  readonly #kept: number;
  #shas: string[] = [];
  #set = new Set<string>();

  constructor(stateDir: string, writer: StateWriter, kept = POSTED_COMMITS_KEPT) {
    this.#file = path.join(stateDir, "github-statuses.json");
    this.#writer = writer;
    this.#kept = kept;
  }

  /** Reads the file; a missing or unreadable one counts as empty (at worst a status is posted again). */
  async load(): Promise<void> {
    const text = await readFile(this.#file, "utf8").catch(() => undefined);
    if (text === undefined) return;
    try {
      const parsed = JSON.parse(text) as { posted?: unknown };
      const shas = Array.isArray(parsed.posted) ? parsed.posted : [];
      this.#shas = shas.filter((sha): sha is string => typeof sha === "string").slice(-this.#kept);
      this.#set = new Set(this.#shas);
    } catch {
      this.#shas = [];
      this.#set = new Set();
    }
  }

  has(sha: string): boolean {
    return this.#set.has(sha);
  }

  /** Remembers `sha`; resolves once that is on disk. */
  async add(sha: string): Promise<void> {
    if (this.#set.has(sha)) return;
    this.#shas.push(sha);
    this.#set.add(sha);
    while (this.#shas.length > this.#kept) this.#set.delete(this.#shas.shift() as string);
    await this.#writer.write(this.#file, `${JSON.stringify({ posted: this.#shas })}\n`);
  }
}
