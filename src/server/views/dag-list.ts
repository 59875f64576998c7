import type { ActiveDag } from "../../dags/active-dags.ts";
import type { AppDeps, DagCatalog } from "../app-deps.ts";
import type { DagListQuery } from "../routes/dag-list-query.ts";
import { dagMatcher } from "./dag-filter.ts";
import { type DagSlice, dagSlice } from "./dag-slice.ts";

/** One load's DAGs in id order, and those of each tag and owner (each list in id order too). */
interface LoadedDags {
  all: readonly ActiveDag[];
  byTag: ReadonlyMap<string, readonly ActiveDag[]> | undefined;
  byOwner: ReadonlyMap<string, readonly ActiveDag[]> | undefined;
}

// Kept per load, keyed by the load's import-errors list (a new array on every load, as the status
// page's cache relies on too): the registry copies its DAGs on every all(), and a tag or owner
// filter would otherwise test all 10,000 on every request.
const byLoad = new WeakMap<object, LoadedDags>();

function loaded(registry: DagCatalog): LoadedDags {
  const load = registry.importErrors();
  let dags = byLoad.get(load);
  if (!dags) {
    dags = { all: registry.all(), byTag: undefined, byOwner: undefined };
    byLoad.set(load, dags);
  }
  return dags;
}

/** The loaded DAGs in id order, copied once per load rather than once per request. */
export function loadedDags(registry: DagCatalog): readonly ActiveDag[] {
  return loaded(registry).all;
}

/** The page of DAGs a list query asks for, before any is summarised. */
export function dagList(deps: AppDeps, query: DagListQuery): DagSlice {
  const matches = dagMatcher(query.filter, {
    isPaused: (id) => deps.scheduler.isPaused(id),
    lastRunState: (id) => deps.store.runsOf(id, 1)[0]?.state,
  });
  return dagSlice(candidates(loaded(deps.registry), query), matches, query.limit, query.before);
}

/** The DAGs worth testing: those of the tag or owner asked for, else all. */
function candidates(dags: LoadedDags, { filter }: DagListQuery): readonly ActiveDag[] {
  if (filter.tag !== undefined) {
    dags.byTag ??= groupBy(dags.all, (dag) => dag.definition.tags);
    return dags.byTag.get(filter.tag) ?? [];
  }
  if (filter.owner !== undefined) {
    dags.byOwner ??= groupBy(dags.all, (dag) =>
      dag.definition.owner === null ? [] : [dag.definition.owner],
    );
    return dags.byOwner.get(filter.owner) ?? [];
  }
  return dags.all;
}

function groupBy(
  dags: readonly ActiveDag[],
  keysOf: (dag: ActiveDag) => readonly string[],
): Map<string, ActiveDag[]> {
  const groups = new Map<string, ActiveDag[]>();
  for (const dag of dags)
    for (const key of new Set(keysOf(dag))) {
      const group = groups.get(key);
      if (group) group.push(dag);
      else groups.set(key, [dag]);
    }
  return groups;
}
