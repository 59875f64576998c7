import type { Executor, TaskKey } from "../executor/executor.ts";
import type { RunChange } from "../runs/run-change.ts";
import type { Run } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import type { RunStore } from "../store/run-store.ts";
import { advanceRuns, type TickContext } from "./plan-tick.ts";
import { markRun, markTask } from "./run-mark.ts";
import { stopRun } from "./run-stop.ts";
import { SchedulerError } from "./scheduler-error.ts";
import type { StepEffects } from "./step-effects.ts";

export interface RunControlDeps {
  store: Pick<RunStore, "state" | "getRun">;
  executor: Pick<Executor, "cancel">;
  effects: Pick<StepEffects, "step">;
  context: Pick<TickContext, "definitionOf" | "notes" | "notesFor">;
}

/**
 * Carries out a stop or a mark (the scheduler calls it in its serial queue). The change is stored
 * and the runs advanced (downstream tasks follow their trigger rules, a finished run is archived, a
 * queued run may take its maxActiveRuns slot); then the run's live tries that the change ended are
 * cancelled (Pods deleted with their grace period, processes signalled) before the answer, so the
 * caller that hears of the final run knows its Pods are on their way out. A change the store
 * refuses cancels nothing. The executor's end reports for the cancelled tries come later and
 * change nothing: those tasks are over.
 */
export async function runControlRequest(
  deps: RunControlDeps,
  runId: string,
  change: RunChange,
  actor: string,
  now: Date,
): Promise<Run> {
  const found = ownValue(deps.store.state.runs, runId) ?? deps.store.getRun(runId);
  if (!found) throw new SchedulerError("not_found", `no run with id "${runId}"`);
  const apply = (run: Run): TaskKey[] => {
    if (change.action === "stop") return stopRun(run, actor, now);
    if (change.taskId === undefined) return markRun(run, change.state, actor, now);
    const definition = deps.context.definitionOf(run);
    if (!definition)
      throw new SchedulerError(
        "conflict",
        `DAG "${run.dagId}" is no longer defined; its tasks cannot be marked`,
      );
    return markTask(run, definition.tasks, change.taskId, change.state, actor, now);
  };
  const reason = change.action === "stop" ? `stopped by ${actor}` : `marked ${change.state} by ${actor}`;
  // On a copy: nothing changes unless the change is allowed (a finished run throws "conflict").
  apply(structuredClone(found));
  let changed: Run | undefined;
  let live: TaskKey[] = [];
  // Stored first: a change the store refuses (a full disk, 503) must leave the tries alone, or
  // they would be retried; the answer still waits for the cancels below.
  await deps.effects.step((state) => {
    changed = ownValue(state.runs, runId);
    if (changed) live = apply(changed);
    const advance = advanceRuns(state, now, deps.context);
    // A run this change ended is final before advanceRuns sees it (or skipped, its DAG gone): it finished now.
    if (changed && (changed.state === "success" || changed.state === "failed"))
      for (const list of [advance.finished, advance.newlyFinished])
        if (!list.includes(changed)) list.push(changed);
    return advance;
  });
  if (!changed) throw new SchedulerError("not_found", `no run with id "${runId}"`);
  for (const key of live) await deps.executor.cancel(key, reason);
  return changed;
}
