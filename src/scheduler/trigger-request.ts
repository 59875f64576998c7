import { randomBytes } from "node:crypto";
import type { Run } from "../runs/run-model.ts";
import { refuseOverQueueCap } from "./queue-cap.ts";
import { initialDagState, manualRun, setDagPaused } from "./run-planner.ts";
import { SchedulerError } from "./scheduler-error.ts";
import type { SchedulerParts } from "./scheduler-options.ts";

/** A manual run of `dagId` (refused over `--max-queued-runs`), stored before it is announced. */
export async function triggerRun(
  parts: SchedulerParts,
  dagId: string,
  conf: Record<string, unknown>,
  by: string | undefined,
): Promise<Run> {
  const dag = parts.registry.get(dagId);
  if (!dag) throw new SchedulerError("not_found", `no DAG with id "${dagId}"`);
  refuseOverQueueCap(parts.store.activeRuns(), dagId, parts.maxQueuedRuns);
  const run = manualRun(dag, conf, parts.now, randomBytes(3).toString("hex"), by);
  await parts.store.update((state) => {
    state.dags[dagId] ??= initialDagState(dag.definition, parts.now);
    parts.store.addRun(state, run);
  });
  parts.events.emit("run:created", { run });
  return run;
}

/** Pauses or unpauses a DAG, stored. */
export async function pauseDag(parts: SchedulerParts, dagId: string, paused: boolean): Promise<void> {
  const dag = parts.registry.get(dagId);
  if (!dag) throw new SchedulerError("not_found", `no DAG with id "${dagId}"`);
  await parts.store.update((state) => setDagPaused(state, dag.definition, paused, parts.now));
}
