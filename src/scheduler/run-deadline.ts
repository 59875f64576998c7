import type { ActiveState } from "../runs/active-state.ts";
import type { Run } from "../runs/run-model.ts";
import { durationText } from "./duration-text.ts";
import type { Cancel, TickContext } from "./plan-tick.ts";
import { endRun } from "./run-stop.ts";

/**
 * Stops the runs that have gone on longer than their DAG's `runTimeout` (as a stop does, reason
 * `run timed out after 2h`) and returns their live tries to cancel. Queued runs are not timed:
 * the clock starts when a run starts. Pure: `now` is given.
 */
export function stopRunsPastDeadline(
  state: ActiveState,
  now: Date,
  context: Pick<TickContext, "definitionOf">,
  /** The state's runs, when the caller has listed them already. */
  runs: readonly Run[] = Object.values(state.runs),
): Cancel[] {
  const cancels: Cancel[] = [];
  for (const { run, timeoutMs, deadline } of runDeadlines(runs, context)) {
    if (deadline > now.getTime()) continue;
    const reason = `run timed out after ${durationText(timeoutMs)}`;
    for (const key of endRun(run, reason, now, "timed out")) cancels.push({ key, reason });
  }
  return cancels;
}

/** The soonest run deadline after `now`, if any run has one. */
export function nextRunDeadline(
  state: ActiveState,
  now: Date,
  context: Pick<TickContext, "definitionOf">,
  runs: readonly Run[] = Object.values(state.runs),
): number | undefined {
  let next: number | undefined;
  for (const { deadline } of runDeadlines(runs, context))
    if (deadline > now.getTime() && (next === undefined || deadline < next)) next = deadline;
  return next;
}

/**
 * Running runs whose definition (the one they were created with) sets `runTimeout`; a finished run
 * made to run again (clear, retry-failed) counts from then.
 */
function* runDeadlines(runs: readonly Run[], context: Pick<TickContext, "definitionOf">) {
  for (const run of runs) {
    if (run.state !== "running" || !run.startedAt) continue;
    const timeoutMs = context.definitionOf(run)?.runTimeoutMs;
    const since = Math.max(Date.parse(run.startedAt), run.resumedAt ? Date.parse(run.resumedAt) : 0);
    if (timeoutMs) yield { run, timeoutMs, deadline: since + timeoutMs };
  }
}
