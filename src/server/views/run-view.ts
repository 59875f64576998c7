import type { Run } from "../../runs/run-model.ts";

/** A run as the API shows it (`GET /api/runs/:runId`); the stored definition copy stays internal. */
export function runView(run: Run) {
  return {
    id: run.id,
    dagId: run.dagId,
    state: run.state,
    trigger: run.trigger,
    ...triggeredBy(run),
    ...(run.backfillId === undefined ? {} : { backfillId: run.backfillId }),
    logicalDate: run.logicalDate,
    conf: run.conf,
    commit: run.commit,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    ...(run.reason === undefined ? {} : { reason: run.reason }),
    notes: run.notes,
    tasks: run.tasks.map((task) => ({
      id: task.id,
      state: task.state,
      try: task.try,
      exitCode: task.exitCode,
      podName: task.podName,
      reason: task.reason,
      startedAt: task.startedAt,
      endedAt: task.endedAt,
      result: task.hasResult ? task.result : null,
      nextTryAt: task.nextTryAt,
      tries: task.tries,
    })),
  };
}

/** A run in a list: state and timing, no task details. */
export function runSummary(run: Run) {
  return {
    id: run.id,
    dagId: run.dagId,
    state: run.state,
    trigger: run.trigger,
    ...triggeredBy(run),
    ...(run.backfillId === undefined ? {} : { backfillId: run.backfillId }),
    logicalDate: run.logicalDate,
    commit: run.commit,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    ...(run.reason === undefined ? {} : { reason: run.reason }),
    tasks: run.tasks.map((task) => ({ id: task.id, state: task.state, try: task.try })),
  };
}

/** `triggeredBy` only on runs that know who triggered them (older runs and scheduled ones do not). */
function triggeredBy(run: Run): { triggeredBy?: string } {
  return run.triggeredBy === undefined ? {} : { triggeredBy: run.triggeredBy };
}
