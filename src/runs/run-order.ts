import type { Run } from "./run-model.ts";

/** Where a page of runs starts: after this run in newest-first order. */
export type RunCursor = Pick<Run, "logicalDate" | "id">;

/** Newest logical date first, then by id (descending), so the order is total. */
export function newestFirst(a: RunCursor, b: RunCursor): number {
  if (a.logicalDate !== b.logicalDate) return a.logicalDate < b.logicalDate ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}
