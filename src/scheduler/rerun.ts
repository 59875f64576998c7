import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { Run } from "../runs/run-model.ts";
import type { RunStore } from "../store/run-store.ts";
import { ownValue } from "../store/id-record.ts";

/** A run a rerun may change, and the definition it runs with (from a `check…` that refuses otherwise). */
export interface CheckedRun {
  run: Run;
  definition: DagDefinition;
}

/**
 * Applies `change` (clear a task, retry what failed) to a checked run: in place and stored when
 * the run is active, else to a copy the store makes active again. Returns the changed run.
 */
export async function rerunChecked(
  store: Pick<RunStore, "state" | "update" | "reactivate">,
  { run, definition }: CheckedRun,
  change: (run: Run, definition: DagDefinition) => void,
  now?: Date,
): Promise<Run> {
  const active = ownValue(store.state.runs, run.id) !== undefined;
  const copy: Run = active ? run : { ...structuredClone(run), definition };
  // A finished run made to run again gets a fresh runTimeout (see run-deadline.ts).
  const finished = run.state === "success" || run.state === "failed";
  const apply = () => {
    change(copy, definition);
    if (now && finished) copy.resumedAt = now.toISOString();
    // Back in line for a maxActiveRuns slot, as a new run would be (advanceRuns starts it).
    if (finished) copy.state = "queued";
    // Why the run ended (stopped, timed out, marked) no longer holds once it runs again.
    if (finished) delete copy.reason;
  };
  if (active) await store.update(apply);
  else {
    apply();
    await store.reactivate(copy);
  }
  return copy;
}
