import { CronExpressionParser } from "cron-parser";

/**
 * A cron expression's fields as lookup tables, for zones whose clock never shifts (UTC): there a
 * time matches when its fields do, with cron-parser's day rules, and no DST filter is needed.
 * Walking these costs a few Date getters per step, against luxon objects per step in cron-parser.
 */
export interface UtcCron {
  second: Steps;
  minute: Steps;
  hour: Steps;
  dayOfMonth: readonly boolean[];
  month: readonly boolean[];
  dayOfWeek: readonly boolean[];
  domRestricted: boolean;
  dowRestricted: boolean;
  /** `#n` on day-of-week: only the nth such weekday of the month (0: none). */
  nthDay: number;
}

/** One time field: for each value, the nearest allowed value at or after it, and at or before it (-1: none). */
interface Steps {
  next: readonly number[];
  previous: readonly number[];
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
  const steps = (values: readonly (number | string)[], size: number): Steps => {
    const allowed = table(values, size);
    const next = new Array<number>(size).fill(-1);
    const previous = new Array<number>(size).fill(-1);
    for (let v = size - 1, n = -1; v >= 0; v--) next[v] = n = allowed[v] ? v : n;
    for (let v = 0, p = -1; v < size; v++) previous[v] = p = allowed[v] ? v : p;
    return { next, previous };
  };
  const cron =
    fields.dayOfMonth.hasLastChar || fields.dayOfWeek.hasLastChar
      ? null
      : {
          second: steps(fields.second.values, 60),
          minute: steps(fields.minute.values, 60),
          hour: steps(fields.hour.values, 24),
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
  "GMT",
  "Etc/GMT",
  "Etc/UTC",
  "Etc/UCT",
  "UCT",
  "Etc/Universal",
  "Universal",
  "Etc/Zulu",
  "Zulu",
]);
// Only the IANA spelling: a bare `GMT+5` is read as five hours ahead by some libraries.
const GMT_OFFSET = /^Etc\/GMT([+-])(\d{1,2})$/;

/**
 * The constant offset (ms to add to UTC) of a zone that never changes it: UTC and `Etc/GMT±N`
 * (POSIX signs: `Etc/GMT+5` is five hours behind). Null for every other zone.
 */
export function fixedOffsetMs(timeZone: string): number | null {
  if (UTC_NAMES.has(timeZone)) return 0;
  const gmt = GMT_OFFSET.exec(timeZone);
  if (!gmt) return null;
  const hours = Number(gmt[2]);
  // The zones that exist: Etc/GMT+12 (behind) to Etc/GMT-14 (ahead).
  if (gmt[1] === "+" ? hours > 12 : hours > 14) return null;
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
    const hour = date.getUTCHours();
    const minute = date.getUTCMinutes();
    const second = date.getUTCSeconds();
    // Each miss moves to the first second of the next allowed month, day, hour, minute or second.
    const h = cron.hour.next[hour] ?? -1;
    const m = cron.minute.next[minute] ?? -1;
    const s = cron.second.next[second] ?? -1;
    if (!cron.month[date.getUTCMonth() + 1]) t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    else if (!dayMatches(cron, date)) t = dayStart + DAY;
    else if (h !== hour) t = h < 0 ? dayStart + DAY : dayStart + h * HOUR;
    else if (m !== minute) t = m < 0 ? dayStart + (hour + 1) * HOUR : dayStart + hour * HOUR + m * MINUTE;
    else if (s !== second) t = s < 0 ? floorTo(t, MINUTE) + MINUTE : floorTo(t, MINUTE) + s * SECOND;
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
    const hour = date.getUTCHours();
    const minute = date.getUTCMinutes();
    const second = date.getUTCSeconds();
    // Each miss moves to the last second of the previous allowed month, day, hour, minute or second.
    const h = cron.hour.previous[hour] ?? -1;
    const m = cron.minute.previous[minute] ?? -1;
    const s = cron.second.previous[second] ?? -1;
    if (!cron.month[date.getUTCMonth() + 1])
      t = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) - SECOND;
    else if (!dayMatches(cron, date)) t = dayStart - SECOND;
    else if (h !== hour) t = h < 0 ? dayStart - SECOND : dayStart + (h + 1) * HOUR - SECOND;
    else if (m !== minute)
      t = m < 0 ? dayStart + hour * HOUR - SECOND : dayStart + hour * HOUR + (m + 1) * MINUTE - SECOND;
    else if (s !== second) t = s < 0 ? floorTo(t, MINUTE) - SECOND : floorTo(t, MINUTE) + s * SECOND;
    else return t;
  }
  return null;
}

/** `t` rounded down to a whole `unit`, before 1970 too. */
function floorTo(t: number, unit: number): number {
  return t - (((t % unit) + unit) % unit);
}
