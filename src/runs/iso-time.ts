/**
 * `date.toISOString()`, remembering the last two instants asked: a tick stamps thousands of runs
 * with the same logical date and the same `now`, asked in turns (10,000 DAGs due in one second).
 */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms === slots[0].ms) return slots[0].iso;
  if (ms === slots[1].ms) return slots[1].iso;
  // toISOString throws for an invalid date: nothing is remembered then.
  const slot = { ms, iso: date.toISOString() };
  slots[next] = slot;
  next = 1 - next;
  return slot.iso;
}

const slots = [
  { ms: Number.NaN, iso: "" },
  { ms: Number.NaN, iso: "" },
] as [{ ms: number; iso: string }, { ms: number; iso: string }];
let next = 0;
