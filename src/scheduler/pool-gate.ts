import type { TaskDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState } from "../runs/active-state.ts";
import { type PoolContext, poolWaitReason, slotsInUse } from "./pool-usage.ts";

/**
 * Asked before a ready try is queued: `null` gives it a slot of its task's pool (counted at once),
 * `wait` leaves it waiting with that reason, `fail` fails the try (its pool is not declared).
 */
export type PoolGate = (task: Pick<TaskDefinition, "pool">) => null | { wait: string } | { fail: string };

/** A gate over the slots in use in `state` now, for one advance of every run (oldest first). */
export function createPoolGate(state: ActiveState, context: PoolContext): PoolGate {
  const pools = context.pools ?? new Map<string, number>();
  // Counted at the first pooled task only: most advances (no task with a pool) never pay for it.
  let used: Map<string, number> | undefined;
  return ({ pool }) => {
    if (!pool) return null;
    used ??= slotsInUse(state, context);
    const slots = pools.get(pool);
    if (slots === undefined) return { fail: `pool "${pool}" is not defined (updraft run --pool ${pool}=N)` };
    const count = used.get(pool) ?? 0;
    if (count >= slots) return { wait: poolWaitReason(pool, count, slots) };
    used.set(pool, count + 1);
    return null;
  };
}
