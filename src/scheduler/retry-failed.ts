import type { DagDefinition, TaskDefinition } from "../dags/spec/dag-schema.ts";
import type { Run, TaskState } from "../runs/run-model.ts";
import { clearTask } from "./run-progress.ts";
import { SchedulerError } from "./scheduler-error.ts";

const RETRYABLE: ReadonlySet<TaskState> = new Set(["failed", "upstream_failed"]);

/** Checks that a run may retry its failed tasks (it is finished, has some, its DAG is known); throws SchedulerError. */
export function checkRetryFailed(
  runId: string,
  run: Run | undefined,
  definitionOf: (run: Run) => DagDefinition | undefined,
): { run: Run; definition: DagDefinition } {
  if (!run) throw new SchedulerError("not_found", `no run with id "${runId}"`);
  if (run.state !== "success" && run.state !== "failed")
    throw new SchedulerError(
      "conflict",
      `run "${runId}" is ${run.state}; only a finished run can retry its failed tasks`,
    );
  if (!run.tasks.some((task) => RETRYABLE.has(task.state)))
    throw new SchedulerError(
      "conflict",
      `run "${runId}" has no failed or upstream_failed tasks; there is nothing to retry`,
    );
  const definition = definitionOf(run);
  if (!definition)
    throw new SchedulerError(
      "conflict",
      `DAG "${run.dagId}" is no longer defined; its runs cannot be retried`,
    );
  return { run, definition };
}

/**
 * Clears every `failed` and `upstream_failed` task of a run so they run again with their next try
 * number; returns their ids. Other tasks keep their state and results.
 */
export function retryFailedTasks(run: Run, tasks: readonly TaskDefinition[]): string[] {
  const ids = new Set(run.tasks.filter((task) => RETRYABLE.has(task.state)).map((task) => task.id));
  // clearTask walks downstream only through the definitions it is given: passing just the
  // retryable ones keeps a task that succeeded after a failure (an all_done cleanup) as it is.
  const retryable = tasks.filter((task) => ids.has(task.id));
  for (const id of ids) clearTask(run, retryable, id);
  return [...ids];
}
