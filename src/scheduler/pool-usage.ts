import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState } from "../runs/active-state.ts";
import type { PoolUsage } from "../runs/pool-slots.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";

export type { PoolUsage } from "../runs/pool-slots.ts";

export interface PoolContext {
  definitionOf(run: Run): DagDefinition | undefined;
  pools?: ReadonlyMap<string, number>;
}

/** The reason a ready try shows while its pool is full. */
export function poolWaitReason(pool: string, used: number, slots: number): string {
  return `waiting for pool ${pool} (${used}/${slots} used)`;
}

/** Tries holding a pool slot, by pool: a try holds one from when it is queued until it ends. */
export function slotsInUse(state: ActiveState, context: PoolContext): Map<string, number> {
  const used = new Map<string, number>();
  for (const { pool, instance } of pooledTries(state, context))
    if (instance.state === "queued" || instance.state === "running")
      used.set(pool, (used.get(pool) ?? 0) + 1);
  return used;
}

/** Every declared pool with its slots, the tries holding one and the tries waiting for one. */
export function poolUsage(state: ActiveState, context: PoolContext): PoolUsage[] {
  const used = slotsInUse(state, context);
  const queued = new Map<string, number>();
  for (const { pool, instance } of pooledTries(state, context)) {
    const waiting = instance.state === "scheduled" || instance.state === "up_for_retry";
    if (waiting && instance.reason?.startsWith(`waiting for pool ${pool} (`))
      queued.set(pool, (queued.get(pool) ?? 0) + 1);
  }
  return [...(context.pools ?? new Map<string, number>())]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, slots]) => ({ name, slots, used: used.get(name) ?? 0, queued: queued.get(name) ?? 0 }));
}

function* pooledTries(
  state: ActiveState,
  context: PoolContext,
): Generator<{ pool: string; instance: TaskInstance }> {
  for (const run of Object.values(state.runs)) {
    const tasks = context.definitionOf(run)?.tasks;
    if (!tasks?.some((task) => task.pool)) continue;
    const poolOf = new Map(tasks.map((task) => [task.id, task.pool]));
    for (const instance of run.tasks) {
      const pool = poolOf.get(instance.id);
      if (pool) yield { pool, instance };
    }
  }
}
