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
 * computed while idle, so a tick at a busy second does no cron work.
 */
export class DueTimesCache {
  readonly #cached = new Map<string, { signature: string; times: number[] }>();

  readonly get = (dag: DagDefinition, state: DagState): number[] => {
    if (state.paused || dag.schedule === null) return [];
    const signature = [state.lastScheduledAt, dag.schedule, dag.timezone, dag.startDate, dag.endDate].join(
      "|",
    );
    const cached = this.#cached.get(dag.id);
    if (cached?.signature === signature) return cached.times;
    const times = scheduleDueTimes(dag, state);
    this.#cached.set(dag.id, { signature, times });
    return times;
  };
}
