import type { Executor } from "../executor/executor.ts";
import type { Run } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import type { RunStore } from "../store/run-store.ts";
import { advanceRuns, type TickContext } from "./plan-tick.ts";
import { stopRun } from "./run-stop.ts";
import { SchedulerError } from "./scheduler-error.ts";
import type { StepEffects } from "./step-effects.ts";

export interface StopRequestDeps {
  store: Pick<RunStore, "state" | "getRun">;
  executor: Pick<Executor, "cancel">;
  effects: Pick<StepEffects, "step">;
  context: Pick<TickContext, "definitionOf" | "notes" | "notesFor">;
}

/**
 * Carries out a stop (the scheduler calls it in its serial queue). The run's live tries are
 * cancelled first (Pods deleted with their grace period, processes signalled), so a reader that
 * sees the run final knows its Pods are on their way out; then the stop is stored, the run archived
 * and the other runs advanced (a queued run may take its maxActiveRuns slot). The executor's end
 * reports for the cancelled tries come later and change nothing: the tasks are over.
 */
export async function stopRequest(
  deps: StopRequestDeps,
  runId: string,
  actor: string,
  now: Date,
): Promise<Run> {
  const found = ownValue(deps.store.state.runs, runId) ?? deps.store.getRun(runId);
  if (!found) throw new SchedulerError("not_found", `no run with id "${runId}"`);
  // On a copy: nothing changes unless the run may be stopped (a finished one throws "conflict").
  const live = stopRun(structuredClone(found), actor, now);
  for (const key of live) await deps.executor.cancel(key, `stopped by ${actor}`);
  let stopped: Run | undefined;
  await deps.effects.step((state) => {
    stopped = ownValue(state.runs, runId);
    if (stopped) stopRun(stopped, actor, now);
    const advance = advanceRuns(state, now, deps.context);
    // advanceRuns sees the stopped run final already (or skips it, its DAG gone): it finished now.
    for (const list of [advance.finished, advance.newlyFinished])
      if (stopped && !list.includes(stopped)) list.push(stopped);
    return advance;
  });
  if (!stopped) throw new SchedulerError("not_found", `no run with id "${runId}"`);
  return stopped;
}
