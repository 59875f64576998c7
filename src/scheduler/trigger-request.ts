import { randomBytes } from "node:crypto";
import { resolveConf } from "../dags/spec/params-schema.ts";
import type { Run } from "../runs/run-model.ts";
import { refuseOverQueueCap } from "./queue-cap.ts";
import { initialDagState, manualRun, setDagPaused } from "./run-planner.ts";
import { SchedulerError } from "./scheduler-error.ts";
import type { SchedulerParts } from "./scheduler-options.ts";

/**
 * A manual run of `dagId`, stored before it is announced; refused over `--max-queued-runs`, or when
 * the conf does not fit the DAG's params (defaults are filled into the stored conf).
 */
export async function triggerRun(
  parts: SchedulerParts,
  dagId: string,
  conf: Record<string, unknown>,
  by: string | undefined,
): Promise<Run> {
  const dag = parts.registry.get(dagId);
  if (!dag) throw new SchedulerError("not_found", `no DAG with id "${dagId}"`);
  const resolved = resolveConf(dag.definition.params, conf);
  if (!resolved.ok)
    throw new SchedulerError(
      "invalid_conf",
      `conf does not fit the params of DAG "${dagId}": ${resolved.problems.join("; ")}`,
      resolved.problems,
    );
  refuseOverQueueCap(parts.store.activeRuns(), dagId, parts.maxQueuedRuns);
  const run = manualRun(dag, resolved.conf, parts.now, randomBytes(3).toString("hex"), by);
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
