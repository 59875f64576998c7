import type { ActiveState } from "../runs/active-state.ts";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import { nextBackfillWake } from "./backfill-plan.ts";
import { durationText } from "./duration-text.ts";
import { nextMissedScheduleCheck } from "./missed-schedules.ts";
import type { Cancel, ScheduledDag, TickContext } from "./plan-tick.ts";
import { nextRunDeadline } from "./run-deadline.ts";

/** Running tries whose task timeout has elapsed by `now`. */
export function timeoutsDue(
  state: ActiveState,
  now: Date,
  context: Pick<TickContext, "definitionOf">,
  /** The state's runs, when the caller has listed them already. */
  runs: readonly Run[] = Object.values(state.runs),
): Cancel[] {
  const due: Cancel[] = [];
  for (const { run, instance, deadline, timeoutMs } of runningDeadlines(runs, context)) {
    if (deadline > now.getTime()) continue;
    const key = { dagId: run.dagId, runId: run.id, taskId: instance.id, try: instance.try };
    due.push({ key, reason: `timed out after ${durationText(timeoutMs)}` });
  }
  return due;
}

/**
 * When the loop should tick next: the soonest of a DAG's next due time, a retry, a running try's
 * timeout, but never later than maxSleepMs from `now`.
 */
export function nextWakeAt(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: Pick<TickContext, "definitionOf" | "dueTimes" | "maxSleepMs">,
): number {
  let next = now.getTime() + context.maxSleepMs;
  for (const dag of dags) {
    const dagState = ownValue(state.dags, dag.definition.id);
    const due = dagState ? context.dueTimes(dag.definition, dagState)[0] : undefined;
    if (due !== undefined) next = Math.min(next, due);
  }
  // Listed once for the three passes below (a record of 10,000 runs is not a cheap list).
  const runs = Object.values(state.runs);
  for (const run of runs) {
    for (const task of run.tasks) {
      // A due retry still up_for_retry waits for a pool slot: a try's end wakes the loop, not the clock.
      const retryAt = task.state === "up_for_retry" && task.nextTryAt ? Date.parse(task.nextTryAt) : NaN;
      if (retryAt > now.getTime()) next = Math.min(next, retryAt);
    }
  }
  // Timeouts already due were handed out by the tick: waking for them again would spin.
  for (const { deadline } of runningDeadlines(runs, context))
    if (deadline > now.getTime()) next = Math.min(next, deadline);
  for (const at of [
    nextRunDeadline(state, now, context, runs),
    nextMissedScheduleCheck(state, dags, now),
    nextBackfillWake(state, dags, now),
  ])
    if (at !== undefined) next = Math.min(next, at);
  return next;
}

/** Running tries of tasks that have a timeout, with when it elapses. */
function runningDeadlines(runs: readonly Run[], context: Pick<TickContext, "definitionOf">) {
  const found: Array<{ run: Run; instance: TaskInstance; timeoutMs: number; deadline: number }> = [];
  for (const run of runs) {
    // A run with no try running yet (a due second's 10,000 new runs) needs no definition lookup.
    if (!run.tasks.some(isRunningTry)) continue;
    const definition = context.definitionOf(run);
    // Most DAGs set no task timeout: their runs' tasks are not looked at, tick after tick.
    const timeouts = definition ? taskTimeouts(definition) : undefined;
    if (!timeouts || timeouts.size === 0) continue;
    for (const instance of run.tasks) {
      if (!isRunningTry(instance)) continue;
      const timeoutMs = timeouts.get(instance.id);
      if (timeoutMs)
        found.push({ run, instance, timeoutMs, deadline: Date.parse(instance.startedAt ?? "") + timeoutMs });
    }
  }
  return found;
}

function isRunningTry(instance: TaskInstance): boolean {
  return instance.state === "running" && instance.startedAt !== null;
}

/** Each task's timeout by id, once per definition (definitions never change). */
const timeoutsByDefinition = new WeakMap<DagDefinition, ReadonlyMap<string, number>>();

/** Each task's timeout by id (exported for the idle warm-up: 10,000 first lookups cost ~15 ms). */
export function taskTimeouts(definition: DagDefinition): ReadonlyMap<string, number> {
  let timeouts = timeoutsByDefinition.get(definition);
  if (!timeouts) {
    const byId = new Map<string, number>();
    for (const task of definition.tasks) if (task.timeoutMs) byId.set(task.id, task.timeoutMs);
    timeoutsByDefinition.set(definition, (timeouts = byId));
  }
  return timeouts;
}
