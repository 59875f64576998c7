import { type CronExpression, CronExpressionParser } from "cron-parser";
import { expandSchedule } from "./cron.ts";

/** The schedule fields next-run computation needs. */
export interface ScheduleFields {
  schedule: string | null;
  timezone: string;
  startDate: string | null;
  endDate: string | null;
}

const REPEAT_WINDOWS_MS = [30 * 60_000, 60 * 60_000, 120 * 60_000];

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
  const expression = CronExpressionParser.parse(expandSchedule(dag.schedule), {
    tz: dag.timezone,
    currentDate: from,
  });
  const runsAt = wallClockFilter(expression, dag.timezone);
  const times: Date[] = [];
  // Bounded: a schedule can at most skip a few candidates per DST change before matching again.
  for (let guard = 0; times.length < limit && guard < limit * 4 + 16 && expression.hasNext(); guard++) {
    const next = expression.next().toDate();
    if (next.getTime() > until.getTime() || (end && next.getTime() > end.getTime())) break;
    if (runsAt(next)) times.push(next);
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

function localClock(
  timeZone: string,
): (date: Date) => { hour: number; minute: number; second: number; text: string } {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return (date) => {
    const parts = Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
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
  const end = dag.endDate ? new Date(dag.endDate).getTime() : Number.POSITIVE_INFINITY;
  const expression = CronExpressionParser.parse(expandSchedule(dag.schedule), {
    tz: dag.timezone,
    currentDate: new Date(now.getTime() + 1),
  });
  const runsAt = wallClockFilter(expression, dag.timezone);
  const times: Date[] = [];
  for (let guard = 0; times.length < limit && guard < limit * 4 + 16 && expression.hasPrev(); guard++) {
    const previous = expression.prev().toDate();
    if (previous.getTime() <= floor) break;
    if (previous.getTime() <= end && previous.getTime() <= now.getTime() && runsAt(previous))
      times.push(previous);
  }
  return times;
}
