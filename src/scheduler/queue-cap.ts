import { DEFAULT_MAX_QUEUED_RUNS } from "../config/limit-flags.ts";
import type { Run } from "../runs/run-model.ts";
import { SchedulerError } from "./scheduler-error.ts";

/** Throws `too_many_queued_runs` when `dagId` already has `max` queued runs (`--max-queued-runs`). */
export function refuseOverQueueCap(
  active: readonly Run[],
  dagId: string,
  max = DEFAULT_MAX_QUEUED_RUNS,
): void {
  let queued = 0;
  for (const run of active) if (run.dagId === dagId && run.state === "queued") queued++;
  if (queued >= max)
    throw new SchedulerError(
      "too_many_queued_runs",
      `DAG "${dagId}" already has ${queued} queued runs (the limit, --max-queued-runs ${max}); wait for some to start, or raise the flag`,
    );
}
