import type { AuditEntry, AuditQuery, AuditReader, AuditSink } from "./audit-entry.ts";
import type { AuditEntries } from "./dag-history.ts";

/** How long a failed append keeps `/healthz` unhealthy without a newer append to prove it again. */
export const AUDIT_FAILURE_SHOWN_MS = 5 * 60_000;

/** Refusals of callers who proved nothing, recorded per minute at most (the rest are counted). */
export const ANONYMOUS_REFUSALS_PER_MINUTE = 10;

/**
 * The audit log as the server uses it. It remembers whether the last append failed (`/healthz`),
 * and records refusals of anonymous callers at a bounded rate: anyone can send those, and
 * without a bound they would rotate everyone else's entries out of the log. The entry that
 * follows a gap says how many went unrecorded.
 */
export class AuditTrail implements AuditSink, AuditReader, AuditEntries {
  readonly #log: AuditSink & AuditReader & AuditEntries;
  readonly #now: () => number;
  #writeError: { error: Error; at: number } | undefined;
  #windowStart = 0;
  #inWindow = 0;
  #unrecorded = 0;

  constructor(log: AuditSink & AuditReader & AuditEntries, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  /**
   * Why the last append failed, until one succeeds: or, on an idle daemon where nothing tries
   * again, until AUDIT_FAILURE_SHOWN_MS have passed (a probe is left unhealthy for good otherwise).
   */
  get writeError(): Error | undefined {
    const failure = this.#writeError;
    return failure && this.#now() - failure.at < AUDIT_FAILURE_SHOWN_MS ? failure.error : undefined;
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
      this.#writeError = undefined;
    } catch (error) {
      this.#writeError = {
        error: error instanceof Error ? error : new Error(String(error)),
        at: this.#now(),
      };
      throw error;
    }
  }

  query(query: AuditQuery): Promise<AuditEntry[]> {
    return this.#log.query(query);
  }

  entries(): AsyncIterable<AuditEntry> {
    return this.#log.entries();
  }
}
