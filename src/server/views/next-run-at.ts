import { nextRunAfter, type ScheduleFields } from "../../scheduler/next-run.ts";

// Per definition object (a reload brings new ones): the last answer and the time it was asked for.
const answers = new WeakMap<ScheduleFields, { after: number; next: number | null }>();

/**
 * `nextRunAfter` for views, memoised: evaluating a cron schedule costs about a millisecond, and a
 * list of DAGs would pay it for every DAG on every request. The answer for `after` holds for any
 * later time before it, so it is reused until the clock reaches it (or goes back).
 */
export function nextRunAt(dag: ScheduleFields, after: Date): Date | null {
  const at = after.getTime();
  const known = answers.get(dag);
  if (known && known.after <= at && (known.next === null || at < known.next))
    return known.next === null ? null : new Date(known.next);
  const next = nextRunAfter(dag, after);
  answers.set(dag, { after: at, next: next?.getTime() ?? null });
  return next;
}
