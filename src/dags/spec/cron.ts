import { CronExpressionParser } from "cron-parser";

/** The presets a `schedule` may name, with the cron expression each stands for. */
export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
};

/** The cron expression a schedule stands for (presets expanded). */
export function expandSchedule(schedule: string): string {
  const trimmed = schedule.trim();
  return presetOf(trimmed) ?? trimmed;
}

/** The preset's expression; own keys only (a schedule is text from a DAG file). */
function presetOf(name: string): string | undefined {
  return Object.hasOwn(SCHEDULE_PRESETS, name) ? SCHEDULE_PRESETS[name] : undefined;
}

/**
 * Returns why `schedule` is not a usable cron schedule, or undefined. cron-parser accepts
 * expressions with too few fields (it pads them), so the field count is checked here first.
 */
export function cronScheduleError(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (trimmed.startsWith("@")) {
    return presetOf(trimmed) === undefined
      ? `unknown preset "${trimmed}" (use ${Object.keys(SCHEDULE_PRESETS).join(", ")}, or a cron expression)`
      : undefined;
  }
  const fields = trimmed.split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 5 && fields.length !== 6) {
    return `has ${fields.length} field${fields.length === 1 ? "" : "s"}; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)`;
  }
  // A repository repeats a handful of expressions across many DAGs: parse each once.
  const known = parsedExpressions.get(trimmed);
  if (known !== undefined) return known ?? undefined;
  let problem: string | null = null;
  try {
    CronExpressionParser.parse(trimmed, { tz: "UTC" });
  } catch (error) {
    problem = `is not a valid cron expression: ${(error as Error).message}`;
  }
  if (parsedExpressions.size > 10_000) parsedExpressions.clear();
  parsedExpressions.set(trimmed, problem);
  return problem ?? undefined;
}

/** Expression → its problem (null when valid). */
const parsedExpressions = new Map<string, string | null>();
