import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Logger } from "../log/logger.ts";
import type { StateWriter } from "../store/durable-write.ts";
import type { SyncRecord } from "./sync-status.ts";
import { SYNC_STEP_NAMES } from "./sync-steps.ts";

/** How many of the newest sync records survive a restart (the page's "Recent syncs", `/syncs`). */
export const SYNC_RECORDS_PERSISTED = 50;

const FILE_NAME = "sync-history.json";
/** Far above 50 records of 10,000 DAG names each; a bigger file is not ours and is not read. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

const names = z.array(z.string());
const recordSchema = z.object({
  at: z.string(),
  sha: z.string().nullable(),
  previousSha: z.string().nullable(),
  ok: z.boolean(),
  error: z.string().nullable(),
  durationMs: z.number(),
  changes: z.object({ added: names, updated: names, removed: names }),
  files: z.object({ paths: names, more: z.number() }).optional(),
  loaded: z
    .object({
      dags: z.number(),
      importErrors: z.number(),
      firstError: z.object({ file: z.string(), line: z.number().nullable(), message: z.string() }).nullable(),
    })
    .optional(),
  steps: z
    .object(Object.fromEntries(SYNC_STEP_NAMES.map((name) => [name, z.number().optional()])))
    .optional(),
});

/**
 * The sync history kept in `<state-dir>/sync-history.json`, so what changed in the last syncs is
 * still on the page after a restart. Writes are coalesced: at most one is under way, and the
 * newest list wins; a failed write is logged and the next sync tries again.
 */
export class SyncHistoryFile {
  readonly file: string;
  #writing: Promise<void> | undefined;
  #next: readonly SyncRecord[] | undefined;

  constructor(
    stateDir: string,
    private readonly writer: StateWriter,
    private readonly log: Pick<Logger, "warn">,
  ) {
    this.file = path.join(stateDir, FILE_NAME);
  }

  /** The records kept by the last daemon; a missing or unreadable file gives none (and a warning). */
  read(): SyncRecord[] {
    let text: string;
    try {
      const { size } = statSync(this.file);
      if (size > MAX_FILE_BYTES) {
        this.log.warn(
          { file: this.file, size },
          "sync history is too big to be ours; starting with an empty one",
        );
        return [];
      }
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.log.warn({ file: this.file, error: (error as Error).message }, "sync history not read");
      return [];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.log.warn({ file: this.file }, "sync history is not JSON; starting with an empty one");
      return [];
    }
    if (!Array.isArray(parsed)) return [];
    // A record that does not have the shape the page reads is left out, not trusted; unknown keys
    // are dropped (one nested thousands deep could never be stringified again), and only the newest
    // records this file ever holds are kept, whatever length it has.
    const records: SyncRecord[] = [];
    for (let i = parsed.length - 1; i >= 0 && records.length < SYNC_RECORDS_PERSISTED; i--) {
      const record = recordSchema.safeParse(parsed[i]);
      if (record.success) records.push(record.data);
    }
    return records.reverse();
  }

  /** Stores the newest records after the write under way (if any); resolves when they are on disk. */
  save(records: readonly SyncRecord[]): Promise<void> {
    this.#next = records.slice(-SYNC_RECORDS_PERSISTED);
    this.#writing ??= this.#drain();
    return this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#next) {
        const records = this.#next;
        this.#next = undefined;
        try {
          await this.writer.write(this.file, `${JSON.stringify(records)}\n`);
        } catch (error) {
          this.log.warn({ file: this.file, error: (error as Error).message }, "sync history not saved");
        }
      }
    } finally {
      // In the same turn as the last check of #next: a save after this starts a new drain.
      this.#writing = undefined;
    }
  }
}
