import type { DagDefinition } from "../../dags/spec/dag-schema.ts";
import { nextRunAfter } from "../../scheduler/next-run.ts";

/** Per definition object (immutable, replaced on reload): the last answer and the time it was asked for. */
const answers = new WeakMap<DagDefinition, { afterMs: number; nextMs: number | null }>();

/**
 * `nextRunAfter`, remembered per definition: the first run after `after` is the same for every
 * later `after` until that run's time, so pages and lists listing many DAGs do not walk cron
 * expressions on every request.
 */
export function cachedNextRunAfter(definition: DagDefinition, after: Date): Date | null {
  const afterMs = after.getTime();
  const known = answers.get(definition);
  if (known && afterMs >= known.afterMs && (known.nextMs === null || afterMs < known.nextMs))
    return known.nextMs === null ? null : new Date(known.nextMs);
  const next = nextRunAfter(definition, after);
  answers.set(definition, { afterMs, nextMs: next?.getTime() ?? null });
  return next;
}
