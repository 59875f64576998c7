import type { Run, TaskInstance, TaskState } from "../../src/runs/run-model.ts";
import { dagSchema } from "../../src/dags/spec/dag-schema.ts";
import { newRun, scheduledRunId } from "../../src/scheduler/run-planner.ts";

/** `count` finished hourly runs of one DAG of `taskCount` tasks, shaped exactly as RunStore.archive stores them; every tenth failed. */
export function finishedRuns(id: string, snapshot: string, count: number, taskCount: number): Run[] {
  const definition = dagSchema.parse({
    kind: "dag",
    id,
    schedule: "@daily",
    tasks: Array.from({ length: taskCount }, (_, t) => ({ kind: "pod", id: `t${t}`, image: "busybox:1.36" })),
  });
  const start = Date.parse("2025-01-01T00:00:00Z");
  return Array.from({ length: count }, (_, k) => {
    const logicalDate = new Date(start + k * 3_600_000);
    const created = newRun(definition, {
      id: scheduledRunId(id, logicalDate),
      trigger: "scheduled",
      logicalDate,
      conf: {},
      commit: null,
      snapshot,
      now: logicalDate,
    });
    const failed = k % 10 === 9;
    let at = logicalDate.getTime() + 1000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const tasks = created.tasks.map((task, t): TaskInstance => {
      const state: TaskState = failed && t === taskCount - 1 ? "failed" : "success";
      const startedAt = iso(at);
      at += 30_000 + ((k * 7 + t * 13) % 60) * 1000;
      const endedAt = iso(at);
      const exitCode = state === "success" ? 0 : 1;
      const reason = state === "failed" ? "exit code 1" : null;
      return {
        ...task,
        state,
        try: 1,
        exitCode,
        reason,
        startedAt,
        endedAt,
        tries: [{ try: 1, state, startedAt, endedAt, exitCode, reason, podName: null }],
      };
    });
    const { definition: _definition, ...stored } = created;
    return {
      ...stored,
      state: failed ? "failed" : "success",
      startedAt: iso(logicalDate.getTime() + 1000),
      endedAt: iso(at),
      tasks,
    };
  });
}
