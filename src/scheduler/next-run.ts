import { type CronExpression, CronExpressionParser } from "cron-parser";
import { expandSchedule } from "../dags/spec/cron.ts";
import { fixedOffsetMs, type UtcCron, utcCronOf, utcNext, utcPrevious } from "./utc-cron.ts";

/** The schedule fields next-run computation needs. */
export interface ScheduleFields {
  schedule: string | null;
  timezone: string;
  startDate: string | null;
  endDate: string | null;
}

const REPEAT_WINDOWS_MS = [30 * 60_000, 60 * 60_000, 120 * 60_000];
/**
 * Only a DST change makes the wall-clock filter reject candidates, and none rejects for longer than
 * this; a longer streak (a schedule that only names skipped times) ends the walk. A per-second
 * schedule rejects 3,600 candidates in a repeated hour, so the bound is on time, not on a count.
 */
const MAX_REJECTED_SPAN_MS = 3 * 60 * 60_000;

/**
 * The scheduled times strictly after `after` and at or before `until`, oldest first, at most
 * `limit` of them. Daylight-saving changes behave like a Kubernetes CronJob: a local time the
 * clocks skip does not run (cron-parser would move it an hour on), and a local time the clocks
 * repeat runs once.
 */
export function scheduleTimes(dag: ScheduleFields, after: Date, until: Date, limit: number): Date[] {
  if (dag.schedule === null || limit <= 0) return [];
  const start = dag.startDate ? new Date(dag.startDate) : undefined;
  const end = dag.endDate ? new Date(dag.endDate) : undefined;
  const from = start && start.getTime() > after.getTime() ? new Date(start.getTime() - 1) : after;
  const fast = fixedZoneCron(dag.schedule, dag.timezone);
  if (fast) {
    const last = Math.min(until.getTime(), end?.getTime() ?? Number.POSITIVE_INFINITY);
    const found: Date[] = [];
    let cursor = from.getTime();
    for (let t; found.length < limit && (t = fast.next(cursor, last)) !== null; cursor = t)
      found.push(new Date(t));
    return found;
  }
  const expression = CronExpressionParser.parse(expandSchedule(dag.schedule), {
    tz: dag.timezone,
    currentDate: from,
  });
  const runsAt = wallClockFilter(expression, dag.timezone);
  const times: Date[] = [];
  const rejected = rejectionStreak();
  while (times.length < limit && expression.hasNext()) {
    const next = expression.next().toDate();
    if (next.getTime() > until.getTime() || (end && next.getTime() > end.getTime())) break;
    const runs = runsAt(next);
    if (runs) times.push(next);
    if (rejected(next, runs)) break;
  }
  return times;
}

/** The first scheduled time strictly after `after`; null for manual-only DAGs and ended schedules. */
export function nextRunAfter(dag: ScheduleFields, after: Date): Date | null {
  // Ten years bounds the search for yearly schedules that fall in DST gaps.
  return scheduleTimes(dag, after, new Date(after.getTime() + 3650 * 86_400_000), 1)[0] ?? null;
}

/**
 * Whether a time cron-parser produced is one the schedule really names on the local wall clock:
 * false for a skipped local time it moved forward, and for the second occurrence of a repeated one.
 */
function wallClockFilter(expression: CronExpression, timeZone: string): (time: Date) => boolean {
  const { hour, minute, second } = expression.fields;
  const local = localClock(timeZone);
  return (time) => {
    const wall = local(time);
    const named =
      (hour.values as readonly number[]).includes(wall.hour) &&
      (minute.values as readonly number[]).includes(wall.minute) &&
      (second.values as readonly number[]).includes(wall.second);
    return (
      named &&
      !REPEAT_WINDOWS_MS.some((window) => local(new Date(time.getTime() - window)).text === wall.text)
    );
  };
}

/** Tracks consecutive rejected candidates; true once they span more than any DST change can. */
function rejectionStreak(): (candidate: Date, accepted: boolean) => boolean {
  let first: number | undefined;
  return (candidate, accepted) => {
    if (accepted) {
      first = undefined;
      return false;
    }
    first ??= candidate.getTime();
    return Math.abs(candidate.getTime() - first) > MAX_REJECTED_SPAN_MS;
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `timeZone` at a date: its hour, minute, second and `YYYY-MM-DD HH:MM:SS`. */
export function localClock(
  timeZone: string,
): (date: Date) => { hour: number; minute: number; second: number; text: string } {
  let format = formatters.get(timeZone);
  if (!format) {
    // Building a formatter costs far more than using one; schedules share a handful of zones.
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const cached = format;
  return (date) => {
    const parts = Object.fromEntries(cached.formatToParts(date).map((part) => [part.type, part.value]));
    const hour = Number(parts.hour);
    const minute = Number(parts.minute);
    const second = Number(parts.second);
    return {
      hour,
      minute,
      second,
      text: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`,
    };
  };
}

/**
 * The newest scheduled times at or before `now` and strictly after `after`, newest first, at most
 * `limit`: walks backwards, so a long downtime of a per-minute schedule costs `limit` steps.
 */
export function recentScheduleTimes(
  dag: ScheduleFields,
  after: Date | null,
  now: Date,
  limit: number,
): Date[] {
  if (dag.schedule === null || limit <= 0) return [];
  const floor = Math.max(
    after?.getTime() ?? Number.NEGATIVE_INFINITY,
    dag.startDate ? new Date(dag.startDate).getTime() - 1 : Number.NEGATIVE_INFINITY,
  );
  // Walk back from endDate when it has passed, not from now: nothing in between can run.
  const ceiling = Math.min(now.getTime(), dag.endDate ? new Date(dag.endDate).getTime() : now.getTime());
  const fast = fixedZoneCron(dag.schedule, dag.timezone);
  if (fast) {
    const found: Date[] = [];
    let cursor = ceiling + 1;
    for (let t; found.length < limit && (t = fast.previous(cursor, floor)) !== null; cursor = t)
      found.push(new Date(t));
    return found;
  }
  const expression = CronExpressionParser.parse(expandSchedule(dag.schedule), {
    tz: dag.timezone,
    currentDate: new Date(ceiling + 1),
  });
  const runsAt = wallClockFilter(expression, dag.timezone);
  const rejected = rejectionStreak();
  const times: Date[] = [];
  while (times.length < limit && expression.hasPrev()) {
    const previous = expression.prev().toDate();
    if (previous.getTime() <= floor) break;
    if (previous.getTime() > ceiling) continue;
    const runs = runsAt(previous);
    if (runs) times.push(previous);
    if (rejected(previous, runs)) break;
  }
  return times;
}

/**
 * The luxon-free walk of utc-cron.ts for a zone with a constant offset (no DST, so the wall-clock
 * filter passes everything); undefined for other zones and for `L` expressions.
 */
function fixedZoneCron(
  schedule: string,
  timeZone: string,
):
  | {
      next(afterMs: number, untilMs: number): number | null;
      previous(beforeMs: number, floorMs: number): number | null;
    }
  | undefined {
  const offset = fixedOffsetMs(timeZone);
  const cron: UtcCron | null = offset === null ? null : utcCronOf(expandSchedule(schedule));
  if (offset === null || cron === null) return undefined;
  // Walk the zone's wall clock as if it were UTC, then shift back.
  const shift = (t: number | null) => (t === null ? null : t - offset);
  return {
    next: (afterMs, untilMs) => shift(utcNext(cron, afterMs + offset, untilMs + offset)),
    previous: (beforeMs, floorMs) => shift(utcPrevious(cron, beforeMs + offset, floorMs + offset)),
  };
}
