import type { Run } from "./run-model.ts";

type Ordered = Pick<Run, "logicalDate" | "queuedAt" | "id">;

/** The order the scheduler advances runs in: oldest logical date, then queued time, then id. */
export function compareOldestFirst(a: Ordered, b: Ordered): number {
  return compare(a.logicalDate, b.logicalDate) || compare(a.queuedAt, b.queuedAt) || compare(a.id, b.id);
}

/**
 * `runs` sorted by compareOldestFirst (stable), as a new array. Each run becomes one string key
 * sorted by the engine's own string sort, without a JavaScript comparator call per comparison
 * (10,000 runs of one due second: ~60 ms with the comparator under load). The NUL separator sorts
 * below every other character, so the keys compare field by field; a field holding NUL itself
 * (never written by updraft) falls back to the comparator.
 */
export function sortOldestFirst<T extends Ordered>(runs: readonly T[]): T[] {
  const keys: string[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as T;
    if (run.logicalDate.includes(NUL) || run.queuedAt.includes(NUL) || run.id.includes(NUL))
      return [...runs].sort(compareOldestFirst);
    // The padded index keeps equal runs in their given order and finds each run again.
    keys.push(
      `${run.logicalDate}${NUL}${run.queuedAt}${NUL}${run.id}${NUL}${String(i).padStart(INDEX_DIGITS, "0")}`,
    );
  }
  keys.sort();
  return keys.map((key) => runs[Number(key.slice(-INDEX_DIGITS))] as T);
}

const NUL = "\u0000";
/** Digits of an array index (arrays hold fewer than 2^32 elements). */
const INDEX_DIGITS = 10;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
