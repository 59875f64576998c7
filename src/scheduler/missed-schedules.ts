import type { ActiveState } from "../runs/active-state.ts";
import type { ScheduledDag, TickContext } from "./plan-tick.ts";

/** A scheduled run that had not started (or finished) by its deadline; alerted once per logical date. */
export interface MissedSchedule {
  dagId: string;
  logicalDate: string;
  /** `expectedWithin` (not started) or `finishWithin` (not finished). */
  kind: "start" | "finish";
  /** Why, in words: `no run started within 15m of 2026-12-05T06:00:00Z (DAG paused)`. */
  reason: string;
}

/**
 * The scheduled runs of DAGs with `expectedWithin`/`finishWithin` that are late now and were not
 * alerted yet; records them as alerted in the state (`DagState.missedAlertedThrough`), so a
 * restart does not alert twice. Pure: `now` is given.
 *
 * SCAFFOLD: the missed-schedule issue (#15 point 7) fills this in.
 */
export function findMissedSchedules(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: Pick<TickContext, "book">,
): MissedSchedule[] {
  void [state, dags, now, context];
  return [];
}

/** When the next missed-schedule check is due (a tick plus its allowance), if any DAG asks for one. */
export function nextMissedScheduleCheck(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
): number | undefined {
  void [state, dags, now];
  return undefined;
}
