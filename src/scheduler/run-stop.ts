import type { TaskKey } from "../executor/executor.ts";
import { isTerminal, type Run } from "../runs/run-model.ts";
import { failTry } from "./run-progress.ts";
import { SchedulerError } from "./scheduler-error.ts";

/**
 * Stops an unfinished run, without side effects: its queued and running tries fail with reason
 * `stopped by <actor>` (their keys are returned, for the executor to cancel), a task waiting for a
 * retry fails the same way, and tasks that never started become `upstream_failed` with reason
 * `not started: stopped by <actor>`. The run ends `failed` with reason `stopped by <actor>`.
 * A run already finished is refused (SchedulerError "conflict") and left as it was.
 */
export function stopRun(run: Run, actor: string, now: Date): TaskKey[] {
  return endRun(run, `stopped by ${actor}`, now, "stopped");
}

/** Ends an unfinished run `failed` with `reason`, as stopRun does (markRun "failed" too). */
export function endRun(run: Run, reason: string, now: Date, verb = "marked"): TaskKey[] {
  refuseFinished(run, verb);
  const live: TaskKey[] = [];
  for (const instance of run.tasks) {
    if (isTerminal(instance.state)) continue;
    if (instance.state === "queued" || instance.state === "running") {
      live.push({ dagId: run.dagId, runId: run.id, taskId: instance.id, try: instance.try });
      failTry(instance, reason, now);
    } else {
      // Scheduled, or waiting for a retry: no try of it runs now, and its past tries keep their record.
      instance.state = instance.state === "scheduled" ? "upstream_failed" : "failed";
      instance.reason = instance.state === "failed" ? reason : `not started: ${reason}`;
      instance.nextTryAt = null;
      instance.endedAt = now.toISOString();
    }
  }
  run.state = "failed";
  run.reason = reason;
  run.endedAt = now.toISOString();
  return live;
}

/** A finished run is refused with SchedulerError "conflict" (the HTTP layer's 409). */
export function refuseFinished(run: Run, verb: string): void {
  if (run.state === "success" || run.state === "failed")
    throw new SchedulerError(
      "conflict",
      `run "${run.id}" is ${run.state}; only an unfinished run can be ${verb}`,
    );
}
