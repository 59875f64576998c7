/** What the Kubernetes bench reads from the fake API server's request journal: pure functions. */
import type { JournalEntry } from "../../test/support/fake-kube/api/router.ts";

/** Requests that serve every task at once: the namespace's list and watch of managed Pods. */
export function isShared(entry: JournalEntry): boolean {
  return entry.resource === "pods" && (entry.verb === "list" || entry.verb === "watch");
}

/** `verb resource` → count; a followed log counts apart from a plain read. */
export function countByVerb(entries: readonly JournalEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const follow = entry.resource === "pods/log" && entry.query.follow === "true" ? " (follow)" : "";
    const label = `${entry.verb} ${entry.resource}${follow}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return new Map([...counts].sort((a, b) => b[1] - a[1]));
}

/**
 * Requests Airflow's KubernetesPodOperator makes for one Pod that lives `lifeMs`: a create, a GET
 * every 2 s while it runs (its polling loop), one followed log, and a delete.
 */
export function pollingBaseline(lifeMs: number, everyMs = 2000): number {
  return 1 + Math.max(1, Math.ceil(lifeMs / everyMs)) + 1 + 1;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}
