import type { TaskDefinition } from "../dags/spec/dag-schema.ts";
import type { TaskKey } from "../executor/executor.ts";
import { isTerminal, type Run, type RunState, type TaskInstance } from "../runs/run-model.ts";
import { isoTime } from "../runs/iso-time.ts";
import type { PoolGate } from "./pool-gate.ts";
import { evaluateTriggerRule } from "./trigger-rules.ts";

/**
 * Moves a run forward as far as its task states allow, without side effects: scheduled tasks whose
 * trigger rule is met become `queued` (the caller starts them), those that can never run become
 * `skipped`/`upstream_failed`, retries that are due are queued again, and a run whose tasks are
 * all done gets its final state. Returns the ids of tasks to start. A `gate` (pools) may hold a
 * ready try back, with the reason on the task, or fail it.
 */
export function advanceRun(
  run: Run,
  tasks: readonly TaskDefinition[],
  now: Date,
  gate?: PoolGate,
): { toStart: string[] } {
  const byId = new Map<string, TaskInstance>();
  for (const task of run.tasks) byId.set(task.id, task);
  const toStart: string[] = [];
  let changed = true;
  // Skips and failures cascade downstream; repeat until nothing moves.
  while (changed) {
    changed = false;
    for (const definition of tasks) {
      const instance = byId.get(definition.id);
      if (!instance) continue;
      if (instance.state === "up_for_retry" && instance.nextTryAt && new Date(instance.nextTryAt) <= now) {
        if (queueReady(instance, definition, now, toStart, gate)) changed = true;
        continue;
      }
      if (instance.state !== "scheduled") continue;
      const upstream = definition.dependsOn.map((id) => byId.get(id)?.state ?? "skipped");
      const decision = evaluateTriggerRule(definition.triggerRule, upstream);
      if (decision === "wait") continue;
      if (decision === "run") {
        if (queueReady(instance, definition, now, toStart, gate)) changed = true;
      } else {
        changed = true;
        instance.state = decision;
        instance.endedAt = isoTime(now);
        instance.reason = decision === "skipped" ? "skipped by trigger rule" : "an upstream task failed";
      }
    }
  }
  run.state = runStateOf(run);
  if (run.state === "running") run.startedAt ??= isoTime(now);
  if (run.state === "success" || run.state === "failed") run.endedAt ??= isoTime(now);
  return { toStart };
}

/**
 * Queues a ready try if the gate lets it (its id goes to `toStart`); false when it waits (nothing
 * changed). A function of its own, not a closure made per advance: 10,000 runs advance in a tick.
 */
function queueReady(
  instance: TaskInstance,
  definition: TaskDefinition,
  now: Date,
  toStart: string[],
  gate: PoolGate | undefined,
): boolean {
  const refusal = gate?.(definition) ?? null;
  if (refusal && "wait" in refusal) {
    instance.reason = refusal.wait;
    return false;
  }
  queueTry(instance);
  if (refusal) failTry(instance, refusal.fail, now);
  else toStart.push(instance.id);
  return true;
}

/** The executor reports the try running (its process or Pod exists). */
export function startTry(instance: TaskInstance, podName: string | null, now: Date): void {
  instance.state = "running";
  instance.startedAt = now.toISOString();
  instance.podName = podName;
  const current = instance.tries.at(-1);
  if (current) Object.assign(current, { state: "running", startedAt: instance.startedAt, podName });
}

/** Fails the current try for good (no retry): it could not be started, or its run is given up. */
export function failTry(instance: TaskInstance, reason: string, now: Date): void {
  instance.maxTries = instance.try;
  finishTry(instance, NO_RETRY_DELAY, { ok: false, exitCode: null, reason }, now);
}

/** Fails every unfinished task of a run; returns the tries that are live (queued or running), to cancel. */
export function failRun(run: Run, reason: string, now: Date): TaskKey[] {
  const live: TaskKey[] = [];
  for (const instance of run.tasks) {
    if (instance.state === "queued" || instance.state === "running")
      live.push({ dagId: run.dagId, runId: run.id, taskId: instance.id, try: instance.try });
    if (!isTerminal(instance.state)) failTry(instance, reason, now);
  }
  return live;
}

/** Retry timing for a try whose task definition is not known (retries at once). */
export const NO_RETRY_DELAY: Pick<TaskDefinition, "retryDelayMs" | "retryBackoff"> = {
  retryDelayMs: 0,
  retryBackoff: null,
};

/** Records the end of the current try: success, or failure with a retry if tries are left. */
export function finishTry(
  instance: TaskInstance,
  definition: Pick<TaskDefinition, "retryDelayMs" | "retryBackoff">,
  outcome: {
    ok: boolean;
    exitCode: number | null;
    reason: string | null;
    result?: unknown;
    hasResult?: boolean;
  },
  now: Date,
): void {
  const current = instance.tries.at(-1);
  const retry = !outcome.ok && instance.try < instance.maxTries;
  instance.state = outcome.ok ? "success" : retry ? "up_for_retry" : "failed";
  instance.exitCode = outcome.exitCode;
  instance.reason = outcome.reason;
  instance.endedAt = now.toISOString();
  if (outcome.hasResult) {
    instance.result = outcome.result;
    instance.hasResult = true;
  }
  instance.nextTryAt = retry
    ? new Date(now.getTime() + retryDelayMs(definition, instance.try)).toISOString()
    : null;
  if (current)
    Object.assign(current, {
      state: outcome.ok ? "success" : "failed",
      endedAt: instance.endedAt,
      exitCode: outcome.exitCode,
      reason: outcome.reason,
    });
}

/** The delay before try `failedTry + 1`: fixed, or doubling per try up to the backoff cap. */
export function retryDelayMs(
  definition: Pick<TaskDefinition, "retryDelayMs" | "retryBackoff">,
  failedTry: number,
): number {
  if (!definition.retryBackoff) return definition.retryDelayMs;
  return Math.min(
    definition.retryDelayMs * 2 ** Math.max(0, failedTry - 1),
    definition.retryBackoff.maxDelayMs,
  );
}

/** Clears a task and everything downstream of it so they run again (with a new try number). */
export function clearTask(run: Run, tasks: readonly TaskDefinition[], taskId: string): string[] {
  const downstream = new Set([taskId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const task of tasks) {
      if (!downstream.has(task.id) && task.dependsOn.some((id) => downstream.has(id))) {
        downstream.add(task.id);
        grew = true;
      }
    }
  }
  for (const instance of run.tasks) {
    if (!downstream.has(instance.id)) continue;
    instance.state = "scheduled";
    // A cleared task gets a fresh set of tries on top of those it used.
    const definition = tasks.find((task) => task.id === instance.id);
    instance.maxTries = instance.try + (definition?.retries ?? 0) + 1;
    instance.exitCode = null;
    instance.reason = null;
    instance.endedAt = null;
    instance.nextTryAt = null;
    instance.result = null;
    instance.hasResult = false;
  }
  run.state = "running";
  run.endedAt = null;
  return [...downstream];
}

function queueTry(instance: TaskInstance): void {
  instance.try += 1;
  instance.state = "queued";
  instance.startedAt = null;
  instance.endedAt = null;
  instance.exitCode = null;
  instance.reason = null;
  instance.podName = null;
  instance.nextTryAt = null;
  instance.tries.push({
    try: instance.try,
    state: "queued",
    startedAt: null,
    endedAt: null,
    exitCode: null,
    reason: null,
    podName: null,
  });
}

function runStateOf(run: Run): RunState {
  if (run.tasks.every((task) => isTerminal(task.state))) {
    return run.tasks.some((task) => task.state === "failed" || task.state === "upstream_failed")
      ? "failed"
      : "success";
  }
  return run.tasks.some((task) => task.state !== "scheduled") ? "running" : run.state;
}
