import type { SyncRecord } from "../sync/sync-status.ts";
import type { CommitStatus } from "./commit-status-client.ts";

/** GitHub refuses a longer description. */
export const MAX_DESCRIPTION = 140;

/** Where a sync is on the `/syncs` page (and on `/` while it is recent): the anchor of its row. */
export function syncAnchor(sha: string): string {
  return `sync-${sha.slice(0, 12)}`;
}

/**
 * The status of the commit a sync tried, or undefined when it has none: the sync failed before
 * the commit was loaded (remote down, checkout failed), so there is nothing to say about it yet.
 */
export function commitStatusFor(record: SyncRecord, publicUrl: string | undefined): CommitStatus | undefined {
  const { sha, loaded } = record;
  if (!sha || !loaded) return undefined;
  const targetUrl = publicUrl ? `${publicUrl}/syncs#${syncAnchor(sha)}` : undefined;
  const { added, updated, removed } = record.changes;
  const counts = `added ${added.length}, updated ${updated.length}, removed ${removed.length}`;
  const dags = `${loaded.dags} DAG${loaded.dags === 1 ? "" : "s"}`;
  const first = loaded.firstError;
  const description =
    loaded.importErrors === 0 || !first
      ? `${dags} loaded (${counts})`
      : `${loaded.importErrors} import error${loaded.importErrors === 1 ? "" : "s"}: ${first.file}${first.line === null ? "" : `:${first.line}`}: ${oneLine(first.message)}`;
  return {
    sha,
    state: loaded.importErrors === 0 ? "success" : "failure",
    description: clip(description),
    ...(targetUrl ? { targetUrl } : {}),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function clip(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_DESCRIPTION ? text : `${chars.slice(0, MAX_DESCRIPTION - 1).join("")}…`;
}
