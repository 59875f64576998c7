import type { ActiveState } from "../runs/active-state.ts";
import type { Cancel, TickContext } from "./plan-tick.ts";

/**
 * Stops the runs that have gone on longer than their DAG's `runTimeout` (as a stop does, reason
 * `run timed out after 2h`) and returns their live tries to cancel. Pure: `now` is given.
 *
 * SCAFFOLD: the run-deadline issue (#15 point 6) fills this in.
 */
export function stopRunsPastDeadline(
  state: ActiveState,
  now: Date,
  context: Pick<TickContext, "definitionOf">,
): Cancel[] {
  void [state, now, context];
  return [];
}

/** The soonest run deadline after `now`, if any run has one. */
export function nextRunDeadline(
  state: ActiveState,
  now: Date,
  context: Pick<TickContext, "definitionOf">,
): number | undefined {
  void [state, now, context];
  return undefined;
}
