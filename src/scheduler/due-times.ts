import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { DagState } from "../runs/active-state.ts";
import { scheduleTimes } from "./next-run.ts";

/** The next two scheduled times (epoch ms) after a DAG's last scheduled run; none while paused. */
export function scheduleDueTimes(dag: DagDefinition, state: DagState): number[] {
  if (state.paused || dag.schedule === null) return [];
  const after = state.lastScheduledAt ? new Date(state.lastScheduledAt) : new Date(0);
  // Ten years from where the schedule starts (a catch-up DAG's startDate), not from 1970.
  const from = Math.max(after.getTime(), dag.startDate ? Date.parse(dag.startDate) : 0);
  return scheduleTimes(dag, after, new Date(from + 3650 * 86_400_000), 2).map((t) => t.getTime());
}

/**
 * `scheduleDueTimes`, remembered per DAG until its last scheduled run (or its schedule) changes:
 * computed while idle, so a tick at a busy second, and the wake-up time of DAGs that are not due,
 * do no cron work. Holds one entry per registered DAG (`forget` drops removed ones).
 */
export class DueTimesCache {
  readonly #cached = new Map<string, { definition: DagDefinition; after: string | null; times: number[] }>();

  readonly get = (dag: DagDefinition, state: DagState): number[] => {
    if (state.paused || dag.schedule === null) return [];
    const cached = this.#cached.get(dag.id);
    // Compared field by field: a check per DAG per tick must cost less than building a key.
    if (cached && cached.after === state.lastScheduledAt && sameSchedule(cached.definition, dag))
      return cached.times;
    const times = scheduleDueTimes(dag, state);
    this.#cached.set(dag.id, { definition: dag, after: state.lastScheduledAt, times });
    return times;
  };

  /** Drops the DAGs a sync removed. */
  forget(dagIds: Iterable<string>): void {
    for (const id of dagIds) this.#cached.delete(id);
  }
}

/** Whether two definitions give the same due times (the fields scheduleDueTimes reads). */
function sameSchedule(a: DagDefinition, b: DagDefinition): boolean {
  return (
    a === b ||
    (a.schedule === b.schedule &&
      a.timezone === b.timezone &&
      a.startDate === b.startDate &&
      a.endDate === b.endDate)
  );
}
