/**
 * `date.toISOString()`, remembering the last time asked: a tick stamps thousands of runs and tries
 * with the same `now` and logical date (10,000 DAGs due in one second).
 */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms !== last.ms) {
    // toISOString throws for an invalid date: nothing is remembered then.
    last = { ms, iso: date.toISOString() };
  }
  return last.iso;
}

let last = { ms: Number.NaN, iso: "" };
