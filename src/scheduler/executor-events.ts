import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ExecutorEvent } from "../executor/executor.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import type { ActiveState } from "../runs/active-state.ts";
import { finishTry, NO_RETRY_DELAY, startTry } from "./run-progress.ts";

/** An executor event that changed a try. */
export interface AppliedEvent {
  run: Run;
  instance: TaskInstance;
  /** The task as this event left it (a later event of the batch may move it on). */
  task: TaskInstance;
  event: ExecutorEvent;
}

/**
 * Applies a batch of executor events to active state, in order: `running` starts a try, `finished`
 * and `failed` end it (with a retry when tries are left). Events for a try that is over (cleared,
 * cancelled, replayed after a restart) change nothing and are not returned.
 */
export function applyExecutorEvents(
  state: ActiveState,
  events: readonly ExecutorEvent[],
  definitionOf: (run: Run) => DagDefinition | undefined,
  now: Date,
): AppliedEvent[] {
  const applied: AppliedEvent[] = [];
  for (const event of events) {
    const run = ownValue(state.runs, event.key.runId);
    const instance = run?.tasks.find((task) => task.id === event.key.taskId);
    if (!run || !instance || instance.try !== event.key.try) continue;
    // Only a queued or running try can start or end: a scheduled task's try N was cleared (clear,
    // retry-failed) and waits for try N+1, so a late report of try N (a stopped Pod's) is stale.
    if (instance.state !== "queued" && instance.state !== "running") continue;
    if (event.type === "running") {
      if (instance.state === "running") continue;
      startTry(instance, event.podName, now);
    } else {
      const definition = definitionOf(run)?.tasks.find((task) => task.id === instance.id);
      finishTry(
        instance,
        definition ?? NO_RETRY_DELAY,
        event.type === "finished"
          ? {
              ok: true,
              exitCode: event.exitCode,
              reason: null,
              hasResult: event.result.present,
              result: event.result.present ? event.result.value : null,
            }
          : { ok: false, exitCode: event.exitCode, reason: event.reason },
        now,
      );
    }
    applied.push({ run, instance, task: { ...instance }, event });
  }
  return applied;
}
