import { DateTime } from "luxon";
import { type ScheduleFields, recentScheduleTimes, scheduleTimes } from "./next-run.ts";
import type { Backfill } from "../runs/backfill-model.ts";

/** A backfill may cover at most this many logical dates (a per-minute schedule over a year is 525,600). */
export const MAX_BACKFILL_DATES = 100_000;

const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/**
 * An ISO date or date-time read in the DAG's time zone unless it names its own offset, as a UTC
 * time; undefined if it is neither. A date alone is the whole day: its start as `from`, its last
 * millisecond as `to` (`--to 2026-11-30` includes the 30th's 06:00 run).
 */
export function rangeTime(value: string, timeZone: string, end: "from" | "to" = "from"): Date | undefined {
  if (!ISO_DATE_OR_TIME.test(value)) return undefined;
  const parsed = DateTime.fromISO(value, { zone: timeZone, setZone: false });
  if (!parsed.isValid) return undefined;
  return value.length === 10 && end === "to" ? parsed.endOf("day").toJSDate() : parsed.toJSDate();
}

/** Dates counted between two turns of the event loop: a year of hourly dates takes about a second. */
const COUNT_CHUNK = 500;

/**
 * The schedule's ticks in [from, to] (both inclusive), counted up to `max + 1`, in chunks that let
 * the event loop (the scheduler's ticks, the HTTP server) run in between.
 */
export async function countRangeTicks(
  dag: ScheduleFields,
  from: Date,
  to: Date,
  max = MAX_BACKFILL_DATES,
): Promise<number> {
  let count = 0;
  let after = new Date(from.getTime() - 1);
  for (;;) {
    const chunk = scheduleTimes(dag, after, to, COUNT_CHUNK);
    count += chunk.length;
    const last = chunk.at(-1);
    if (!last || chunk.length < COUNT_CHUNK || count > max) return count;
    after = last;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The next `limit` logical dates a backfill hands out after its cursor: the schedule's ticks in
 * its range, oldest first (newest first when `reverse`), with the DST rules of catch-up.
 */
export function nextBackfillDates(
  dag: ScheduleFields,
  backfill: Pick<Backfill, "from" | "to" | "cursor" | "reverse">,
  limit: number,
): Date[] {
  const from = Date.parse(backfill.from);
  const to = Date.parse(backfill.to);
  const cursor = backfill.cursor === null ? undefined : Date.parse(backfill.cursor);
  if (!backfill.reverse) return scheduleTimes(dag, new Date(cursor ?? from - 1), new Date(to), limit);
  return recentScheduleTimes(
    dag,
    new Date(from - 1),
    new Date(cursor === undefined ? to : cursor - 1),
    limit,
  );
}
