import type { Run } from "../../../src/runs/run-model.ts";
import { newRun } from "../../../src/scheduler/run-planner.ts";
import { dag, pod } from "../../scheduler-loop/harness.ts";

/** A manual run of a one-task DAG `dagId`, queued at `at` for the logical date `at`. */
export function oneTaskRun(dagId: string, id: string, at: Date): Run {
  return newRun(dag(dagId, { tasks: [pod("only")] }), {
    id,
    trigger: "manual",
    logicalDate: at,
    conf: {},
    commit: null,
    snapshot: "/snapshots/a",
    now: at,
  });
}

/** The same run, ended successfully at `at` (ready to archive). */
export function finishedOneTaskRun(dagId: string, id: string, at: Date): Run {
  return { ...oneTaskRun(dagId, id, at), state: "success", endedAt: at.toISOString() };
}
