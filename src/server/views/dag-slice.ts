import type { ActiveDag } from "../../dags/active-dags.ts";

/** One page of DAGs in id order, and the cursors around it. */
export interface DagSlice {
  items: ActiveDag[];
  /** `before` for the next page; undefined on the last one. */
  nextBefore: string | undefined;
  /** `before` for the previous page: null for the first page, undefined when this is the first page. */
  previousBefore: string | null | undefined;
}

/**
 * The matching DAGs after the one with id `before` (all of them when `limit` is undefined).
 * `dags` is sorted by id (the registry keeps it so), so the cursor is found by binary search and
 * only the DAGs up to the page's end are tested, not all 10,000.
 */
export function dagSlice(
  dags: readonly ActiveDag[],
  matches: (dag: ActiveDag) => boolean,
  limit: number | undefined,
  before: string | undefined,
): DagSlice {
  const start = before === undefined ? 0 : firstAfter(dags, before);
  const items: ActiveDag[] = [];
  let i = start;
  for (; i < dags.length && (limit === undefined || items.length < limit); i++) {
    const dag = dags[i];
    if (dag && matches(dag)) items.push(dag);
  }
  let more = false;
  for (; i < dags.length && !more; i++) {
    const dag = dags[i];
    more = dag !== undefined && matches(dag);
  }
  const last = items.at(-1);
  return {
    items,
    nextBefore: limit !== undefined && more && last ? last.definition.id : undefined,
    previousBefore:
      limit === undefined || start === 0 ? undefined : previousCursor(dags, matches, limit, start),
  };
}

/** Walks back `limit` matches from `start`; the match before those is the previous page's cursor. */
function previousCursor(
  dags: readonly ActiveDag[],
  matches: (dag: ActiveDag) => boolean,
  limit: number,
  start: number,
): string | null | undefined {
  let seen = 0;
  for (let i = start - 1; i >= 0; i--) {
    const dag = dags[i];
    if (!dag || !matches(dag)) continue;
    if (seen === limit) return dag.definition.id;
    seen++;
  }
  return seen === 0 ? undefined : null;
}

/** Index of the first DAG whose id sorts after `id` (the registry's `<` order). */
function firstAfter(dags: readonly ActiveDag[], id: string): number {
  let low = 0;
  let high = dags.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const dag = dags[mid];
    if (dag && dag.definition.id <= id) low = mid + 1;
    else high = mid;
  }
  return low;
}
