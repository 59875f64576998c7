import { CronExpressionParser } from "cron-parser";

/**
 * A cron expression's fields as lookup tables, for zones whose clock never shifts (UTC): there a
 * time matches when its fields do, with cron-parser's day rules, and no DST filter is needed.
 * Walking these costs a few Date getters per step, against luxon objects per step in cron-parser.
 */
export interface UtcCron {
  second: readonly boolean[];
  minute: readonly boolean[];
  hour: readonly boolean[];
  dayOfMonth: readonly boolean[];
  month: readonly boolean[];
  dayOfWeek: readonly boolean[];
  domRestricted: boolean;
  dowRestricted: boolean;
  /** `#n` on day-of-week: only the nth such weekday of the month (0: none). */
  nthDay: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A walk that finds nothing in this many steps has no match (cron-parser's own loop bound). */
const MAX_STEPS = 10_000;

const compiled = new Map<string, UtcCron | null>();

/**
 * The lookup tables of an (expanded) expression, parsed once; null when it uses `L`, which the
 * fast path leaves to cron-parser. Throws as cron-parser does for an invalid expression.
 */
export function utcCronOf(expression: string): UtcCron | null {
  const known = compiled.get(expression);
  if (known !== undefined) return known;
  const fields = CronExpressionParser.parse(expression, { tz: "UTC" }).fields;
  const table = (values: readonly (number | string)[], size: number, wrap = size) => {
    const out = new Array<boolean>(size).fill(false);
    for (const value of values) if (typeof value === "number") out[value % wrap] = true;
    return out;
  };
  const cron =
    fields.dayOfMonth.hasLastChar || fields.dayOfWeek.hasLastChar
      ? null
      : {
          second: table(fields.second.values, 60),
          minute: table(fields.minute.values, 60),
          hour: table(fields.hour.values, 24),
          dayOfMonth: table(fields.dayOfMonth.values, 32),
          month: table(fields.month.values, 13),
          dayOfWeek: table(fields.dayOfWeek.values, 8, 7),
          domRestricted: !fields.dayOfMonth.isWildcard,
          dowRestricted: !fields.dayOfWeek.isWildcard,
          nthDay: fields.dayOfWeek.nthDay,
        };
  // A repository repeats a handful of expressions: the bound only stops a pathological growth.
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(expression, cron);
  return cron;
}

const UTC_NAMES = new Set([
  "UTC",
  "Etc/UTC",
  "Etc/UCT",
  "UCT",
  "Etc/Universal",
  "Universal",
  "Etc/Zulu",
  "Zulu",
]);
const GMT_OFFSET = /^(?:Etc\/)?GMT(?:([+-])(\d{1,2}))?$/;

/**
 * The constant offset (ms to add to UTC) of a zone that never changes it: UTC and `Etc/GMT±N`
 * (POSIX signs: `Etc/GMT+5` is five hours behind). Null for every other zone.
 */
export function fixedOffsetMs(timeZone: string): number | null {
  if (UTC_NAMES.has(timeZone)) return 0;
  const gmt = GMT_OFFSET.exec(timeZone);
  if (!gmt) return null;
  const hours = Number(gmt[2] ?? 0);
  if (hours > 14) return null;
  return (gmt[1] === "+" ? -hours : hours) * HOUR;
}

/** cron-parser's day rule: both restricted, either matches; one restricted, that one must. */
function dayMatches(cron: UtcCron, date: Date): boolean {
  const day = date.getUTCDate();
  const dom = cron.dayOfMonth[day] === true;
  const dow =
    cron.dayOfWeek[date.getUTCDay()] === true && (cron.nthDay <= 0 || Math.ceil(day / 7) === cron.nthDay);
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  if (cron.domRestricted) return dom;
  return cron.dowRestricted ? dow : true;
}

/** The first matching whole second strictly after `afterMs`, or null past `untilMs`. */
export function utcNext(cron: UtcCron, afterMs: number, untilMs: number): number | null {
  let t = Math.floor(afterMs / SECOND) * SECOND + SECOND;
  for (let step = 0; step < MAX_STEPS && t <= untilMs; step++) {
    const date = new Date(t);
    const dayStart = floorTo(t, DAY);
    if (!cron.month[date.getUTCMonth() + 1]) t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    else if (!dayMatches(cron, date)) t = dayStart + DAY;
    else if (!cron.hour[date.getUTCHours()]) t = dayStart + (date.getUTCHours() + 1) * HOUR;
    else if (!cron.minute[date.getUTCMinutes()]) t = floorTo(t, MINUTE) + MINUTE;
    else if (!cron.second[date.getUTCSeconds()]) t += SECOND;
    else return t;
  }
  return null;
}

/** The last matching whole second strictly before `beforeMs`, or null at or before `floorMs`. */
export function utcPrevious(cron: UtcCron, beforeMs: number, floorMs: number): number | null {
  let t = Math.ceil(beforeMs / SECOND) * SECOND - SECOND;
  for (let step = 0; step < MAX_STEPS && t > floorMs; step++) {
    const date = new Date(t);
    const dayStart = floorTo(t, DAY);
    // Each miss moves to the last second of the previous month, day, hour or minute.
    if (!cron.month[date.getUTCMonth() + 1])
      t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) - SECOND;
    else if (!dayMatches(cron, date)) t = dayStart - SECOND;
    else if (!cron.hour[date.getUTCHours()]) t = dayStart + date.getUTCHours() * HOUR - SECOND;
    else if (!cron.minute[date.getUTCMinutes()]) t = floorTo(t, MINUTE) - SECOND;
    else if (!cron.second[date.getUTCSeconds()]) t -= SECOND;
    else return t;
  }
  return null;
}

/** `t` rounded down to a whole `unit`, before 1970 too. */
function floorTo(t: number, unit: number): number {
  return t - (((t % unit) + unit) % unit);
}
