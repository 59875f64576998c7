import type { AuditEntry } from "./audit-entry.ts";

/** What dagHistory reads: the audit log's entries, newest first (AuditLog.entries). */
export interface AuditEntries {
  entries(): AsyncIterable<AuditEntry>;
}

const PAUSE_ACTIONS = new Set(["pause", "unpause"]);

/** How far back a page view looks: the newest entries only, so a DAG page never reads the whole log. */
export const DAG_HISTORY_SCAN = 5000;

/**
 * The pauses and unpauses of one DAG that took effect (2xx), newest first, at most `limit`, among
 * the newest `scan` entries of the log: what the DAG page shows as "paused by alice@example.com".
 * Refused attempts stay in the audit log.
 */
export async function dagHistory(
  audit: AuditEntries,
  dagId: string,
  limit: number,
  scan = DAG_HISTORY_SCAN,
): Promise<AuditEntry[]> {
  const found: AuditEntry[] = [];
  if (limit < 1) return found;
  let seen = 0;
  for await (const entry of audit.entries()) {
    if (++seen > scan) break;
    if (
      PAUSE_ACTIONS.has(entry.action) &&
      entry.status >= 200 &&
      entry.status < 300 &&
      entry.target === `dag/${dagId}`
    )
      found.push(entry);
    if (found.length >= limit) break;
  }
  return found;
}
