import type { ActiveState } from "../runs/active-state.ts";
import type { Run } from "../runs/run-model.ts";
import type { ScheduledDag, TickContext } from "../scheduler/plan-tick.ts";

/**
 * Hands out the next logical dates of each running backfill as runs (created, or existing ones
 * rerun per `rerun`), so that no backfill has more than its `maxActiveRuns` active, and moves its
 * cursor in the same state change. Pure: `now` is given, the state is changed in place.
 *
 * SCAFFOLD: the backfill issue (#15 point 4) fills this in.
 */
export function createBackfillRuns(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: TickContext,
): Run[] {
  void [state, dags, now, context];
  return [];
}
