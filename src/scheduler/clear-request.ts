import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import { isTerminal, type Run } from "../runs/run-model.ts";
import { SchedulerError } from "./scheduler-error.ts";

/** Checks that a task may be cleared (it exists and is finished, its DAG is known); throws SchedulerError. */
export function checkClear(
  runId: string,
  taskId: string,
  run: Run | undefined,
  definitionOf: (run: Run) => DagDefinition | undefined,
): { run: Run; definition: DagDefinition } {
  if (!run) throw new SchedulerError("not_found", `no run with id "${runId}"`);
  const instance = run.tasks.find((task) => task.id === taskId);
  if (!instance) throw new SchedulerError("not_found", `run "${runId}" has no task "${taskId}"`);
  if (!isTerminal(instance.state) && instance.state !== "up_for_retry") {
    throw new SchedulerError(
      "conflict",
      `task "${taskId}" is ${instance.state}; only a finished task can be cleared`,
    );
  }
  const definition = definitionOf(run);
  if (!definition)
    throw new SchedulerError(
      "conflict",
      `DAG "${run.dagId}" is no longer defined; its runs cannot be cleared`,
    );
  return { run, definition };
}
