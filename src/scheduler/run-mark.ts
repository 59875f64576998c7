import type { TaskDefinition } from "../dags/spec/dag-schema.ts";
import type { TaskKey } from "../executor/executor.ts";
import type { MarkState } from "../runs/run-change.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import { endRun, refuseFinished } from "./run-stop.ts";
import { SchedulerError } from "./scheduler-error.ts";

/**
 * Marks an unfinished run, without side effects. `failed` ends it as a stop does (reason
 * `marked failed by <actor>`); `success` sets every task not yet successful to `success`. Returns
 * the live tries, for the executor to cancel.
 */
export function markRun(run: Run, state: MarkState, actor: string, now: Date): TaskKey[] {
  const reason = `marked ${state} by ${actor}`;
  if (state === "failed") return endRun(run, reason, now);
  refuseFinished(run, "marked");
  const live = run.tasks.flatMap((instance) =>
    instance.state === "success" ? [] : setTask(run, instance, state, reason, now),
  );
  Object.assign(run, { state, reason, endedAt: now.toISOString() });
  return live;
}

/**
 * Marks one task of an unfinished run `success` or `failed` for good (no retry), without running it.
 * Tasks downstream of it that never ran (`upstream_failed`, `skipped`) are scheduled again, so the
 * next advance decides them by their trigger rules. Returns its live try, to cancel.
 */
export function markTask(
  run: Run,
  tasks: readonly TaskDefinition[],
  taskId: string,
  state: MarkState,
  actor: string,
  now: Date,
): TaskKey[] {
  const instance = run.tasks.find((candidate) => candidate.id === taskId);
  if (!instance) throw new SchedulerError("not_found", `run "${run.id}" has no task "${taskId}"`);
  refuseFinished(run, "marked");
  const live = setTask(run, instance, state, `marked ${state} by ${actor}`, now);
  const downstream = new Set([taskId]);
  for (let grew = true; grew;) {
    grew = false;
    for (const task of tasks)
      if (!downstream.has(task.id) && task.dependsOn.some((id) => downstream.has(id)))
        grew = downstream.add(task.id) !== undefined;
  }
  for (const other of run.tasks) {
    if (other === instance || !downstream.has(other.id) || other.try !== 0) continue;
    if (other.state === "upstream_failed" || other.state === "skipped")
      Object.assign(other, { state: "scheduled", reason: null, endedAt: null });
  }
  return live;
}

function setTask(run: Run, instance: TaskInstance, state: MarkState, reason: string, now: Date): TaskKey[] {
  const live = instance.state === "queued" || instance.state === "running";
  const key = { dagId: run.dagId, runId: run.id, taskId: instance.id, try: instance.try };
  Object.assign(instance, {
    state,
    reason,
    endedAt: now.toISOString(),
    nextTryAt: null,
    maxTries: instance.try,
  });
  const current = instance.tries.at(-1);
  if (live && current) Object.assign(current, { state, reason, endedAt: instance.endedAt });
  return live ? [key] : [];
}
