import { CronExpressionParser } from "cron-parser";
import { expandSchedule } from "./cron.ts";

/** The schedule fields next-run computation needs. */
export interface ScheduleFields {
  schedule: string | null;
  timezone: string;
  startDate: string | null;
  endDate: string | null;
}

/**
 * The first scheduled time strictly after `after`, within startDate/endDate, in the DAG's time
 * zone; null for manual-only DAGs and schedules that have ended.
 */
export function nextRunAfter(dag: ScheduleFields, after: Date): Date | null {
  if (dag.schedule === null) return null;
  const start = dag.startDate ? new Date(dag.startDate) : undefined;
  const from = start && start.getTime() > after.getTime() ? new Date(start.getTime() - 1) : after;
  const expression = CronExpressionParser.parse(expandSchedule(dag.schedule), {
    tz: dag.timezone,
    currentDate: from,
  });
  if (!expression.hasNext()) return null;
  const next = expression.next().toDate();
  if (dag.endDate && next.getTime() > new Date(dag.endDate).getTime()) return null;
  return next;
}
