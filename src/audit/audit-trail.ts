import type { AuditEntry, AuditQuery, AuditReader, AuditSink } from "./audit-entry.ts";
import type { AuditEntries } from "./dag-history.ts";

/** Refusals of callers who proved nothing, recorded per minute at most (the rest are counted). */
export const ANONYMOUS_REFUSALS_PER_MINUTE = 10;

/** After a failed append, how often the trail checks whether the log can be written again. */
export const AUDIT_PROBE_EVERY_MS = 2000;

/**
 * The audit log as the server uses it. It remembers whether the last append failed (`/healthz`),
 * and records refusals of anonymous callers at a bounded rate: anyone can send those, and
 * without a bound they would rotate everyone else's entries out of the log. The entry that
 * follows a gap says how many went unrecorded.
 */
export class AuditTrail implements AuditSink, AuditReader, AuditEntries {
  readonly #log: AuditSink & AuditReader & AuditEntries & { close?(): Promise<void> };
  readonly #now: () => number;
  readonly #probe: (() => Promise<void>) | undefined;
  #writeError: Error | undefined;
  #probing: ReturnType<typeof setInterval> | undefined;
  #windowStart = 0;
  #inWindow = 0;
  #unrecorded = 0;

  /**
   * `probe` writes (and removes) a byte where the log lives: after a failed append it runs every
   * AUDIT_PROBE_EVERY_MS until it works, so an idle daemon's `/healthz` recovers with the disk.
   */
  constructor(
    log: AuditSink & AuditReader & AuditEntries & { close?(): Promise<void> },
    options: { now?: () => number; probe?: () => Promise<void> } = {},
  ) {
    this.#log = log;
    this.#now = options.now ?? Date.now;
    this.#probe = options.probe;
  }

  /** Why the last append failed, until an append or a probe succeeds. */
  get writeError(): Error | undefined {
    return this.#writeError;
  }

  /** Stops probing and closes the log's file (the daemon stops; a later append opens it again). */
  async close(): Promise<void> {
    this.#stopProbing();
    await this.#log.close?.();
  }

  #stopProbing(): void {
    clearInterval(this.#probing);
    this.#probing = undefined;
  }

  async append(entry: AuditEntry): Promise<void> {
    let recorded = entry;
    if (entry.actor === "anonymous" && entry.status >= 400) {
      const now = this.#now();
      if (now - this.#windowStart >= 60_000) {
        this.#windowStart = now;
        this.#inWindow = 0;
      }
      if (this.#inWindow >= ANONYMOUS_REFUSALS_PER_MINUTE) {
        this.#unrecorded += 1;
        return;
      }
      this.#inWindow += 1;
      if (this.#unrecorded > 0) {
        const input = entry.input === undefined ? {} : { request: entry.input };
        recorded = { ...entry, input: { ...input, unrecordedAnonymousRefusals: this.#unrecorded } };
      }
    }
    try {
      await this.#log.append(recorded);
      if (recorded !== entry) this.#unrecorded = 0;
      this.#recovered();
    } catch (error) {
      this.#failed(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  query(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#log.query(query);
  }

  entries(): AsyncIterable<AuditEntry> {
    return this.#log.entries();
  }

  #failed(error: Error): void {
    this.#writeError = error;
    const probe = this.#probe;
    if (!probe || this.#probing) return;
    this.#probing = setInterval(() => {
      probe().then(
        () => this.#recovered(),
        () => undefined,
      );
    }, AUDIT_PROBE_EVERY_MS);
    this.#probing.unref();
  }

  #recovered(): void {
    this.#writeError = undefined;
    this.#stopProbing();
  }
}
