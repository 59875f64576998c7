import type { Logger } from "../log/logger.ts";
import type { SyncRecord } from "./sync-status.ts";

/** How many sync records `GET /api/syncs` can list. */
export const SYNC_HISTORY_KEPT = 200;

/** The latest sync records (oldest first, bounded); each is logged as it is kept. */
export class SyncHistory {
  readonly #records: SyncRecord[] = [];

  constructor(
    private readonly log: Pick<Logger, "info" | "warn">,
    private readonly kept = SYNC_HISTORY_KEPT,
    /** Told the records after each change (to store them). */
    private readonly onChange: (records: readonly SyncRecord[]) => void = () => {},
  ) {}

  /** Records kept by an earlier daemon, older than any added since. */
  restore(records: readonly SyncRecord[]): void {
    // Not unshift(...records): spreading a few hundred thousand arguments overflows the stack.
    const kept = [...records, ...this.#records].slice(-this.kept);
    this.#records.length = 0;
    for (const record of kept) this.#records.push(record);
  }

  add(record: SyncRecord): void {
    this.#records.push(record);
    if (this.#records.length > this.kept) this.#records.shift();
    this.onChange(this.#records);
    const { sha, previousSha, durationMs, changes } = record;
    if (record.ok) this.log.info({ sha, previousSha, durationMs, changes }, "sync applied");
    else this.log.warn({ sha, previousSha, durationMs, changes, error: record.error }, "sync failed");
  }

  /** Keeps every record the daemon reports as a sync event. */
  follow(events: {
    on(event: "sync:applied" | "sync:failed", listener: (record: SyncRecord) => void): () => void;
  }): void {
    events.on("sync:applied", (record) => this.add(record));
    events.on("sync:failed", (record) => this.add(record));
  }

  /** Oldest first; the caller only reads it. */
  list(): readonly SyncRecord[] {
    return this.#records;
  }
}
