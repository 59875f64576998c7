import { expandSchedule } from "../../dags/spec/cron.ts";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * A schedule in words for the common cron forms (every N minutes/hours, daily, weekly, monthly,
 * yearly at fixed times), or undefined when the expression is anything else: callers then show the
 * cron text alone. Times are in the DAG's time zone, which the caller names.
 */
export function describeCron(schedule: string): string | undefined {
  const fields = expandSchedule(schedule).split(/\s+/);
  if (fields.length === 6) {
    const [second, ...rest] = fields as [string, ...string[]];
    const everySeconds = /^\*\/(\d+)$/.exec(second);
    if (rest.every((field) => field === "*")) {
      if (second === "*") return "every second";
      if (everySeconds) return `every ${plural(Number(everySeconds[1]), "second")}`;
    }
    if (second !== "0") return undefined;
    return describeFiveFields(rest);
  }
  return fields.length === 5 ? describeFiveFields(fields) : undefined;
}

function describeFiveFields(fields: readonly string[]): string | undefined {
  const [minute = "", hour = "", dayOfMonth = "", month = "", dayOfWeek = ""] = fields;
  const anyDay = dayOfMonth === "*" && month === "*" && dayOfWeek === "*";
  if (anyDay && hour === "*") {
    if (minute === "*") return "every minute";
    const step = /^\*\/(\d+)$/.exec(minute);
    if (step) return `every ${plural(Number(step[1]), "minute")}`;
    if (isNumber(minute))
      return minute === "0" ? "every hour, on the hour" : `every hour at minute ${minute}`;
    return undefined;
  }
  if (!isNumber(minute)) return undefined;
  const hourStep = /^\*\/(\d+)$/.exec(hour);
  if (anyDay && hourStep) return `every ${plural(Number(hourStep[1]), "hour")} at minute ${minute}`;
  const hours = numberList(hour, 0, 23);
  if (!hours) return undefined;
  const at = `at ${hours.map((h) => `${pad(h)}:${pad(Number(minute))}`).join(", ")}`;
  if (anyDay) return `every day ${at}`;
  if (dayOfMonth === "*" && month === "*") {
    const days = weekdays(dayOfWeek);
    return days ? `${days} ${at}` : undefined;
  }
  if (dayOfWeek !== "*") return undefined;
  const monthDays = numberList(dayOfMonth, 1, 31);
  if (!monthDays) return undefined;
  const onDays = `on day ${monthDays.join(", ")}`;
  if (month === "*") return `${onDays} of every month ${at}`;
  const months = numberList(month, 1, 12);
  if (!months) return undefined;
  return `every year ${onDays} of ${months.map((m) => MONTHS[m - 1]).join(", ")} ${at}`;
}

function weekdays(field: string): string | undefined {
  if (field === "1-5" || field === "MON-FRI") return "every weekday (Monday to Friday)";
  if (field === "0,6" || field === "6,0" || field === "SAT,SUN") return "every Saturday and Sunday";
  const days = numberList(field, 0, 7);
  if (!days) return undefined;
  return `every ${days.map((d) => DAYS[d % 7]).join(", ")}`;
}

/** `5`, `1,15` or `1-3` as numbers within [min, max]; undefined for anything else. */
function numberList(field: string, min: number, max: number): number[] | undefined {
  const values: number[] = [];
  for (const part of field.split(",")) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from > to) return undefined;
      for (let value = from; value <= to; value++) values.push(value);
    } else if (isNumber(part)) values.push(Number(part));
    else return undefined;
  }
  return values.every((value) => value >= min && value <= max) ? values : undefined;
}

function isNumber(field: string): boolean {
  return /^\d+$/.test(field);
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

function plural(count: number, unit: string): string {
  return count === 1 ? unit : `${count} ${unit}s`;
}
