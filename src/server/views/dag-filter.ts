import type { ActiveDag } from "../../dags/active-dags.ts";
import type { RunState } from "../../runs/run-model.ts";

/**
 * `?state=` of the DAG list: `active` (not paused), `paused`, `failing` (its newest run failed),
 * `running` (its newest run is queued or running), `stale` (its file fails to load; the last good
 * definition is kept, with the import error).
 */
export const DAG_STATES = ["active", "paused", "failing", "running", "stale"] as const;
export type DagStateFilter = (typeof DAG_STATES)[number];

/** What the DAG list is narrowed to; an absent field does not narrow it. */
export interface DagFilter {
  /** Part of the id, any case. */
  q?: string;
  /** One of the DAG's tags, exactly. */
  tag?: string;
  /** The DAG's owner, exactly. */
  owner?: string;
  /** A folder the DAG's file is in: repository-relative, or relative to the DAGs folder. */
  folder?: string;
  state?: DagStateFilter;
}

/** What a filter needs to know beyond the definition. */
export interface DagFacts {
  isPaused(dagId: string): boolean;
  /** The state of the DAG's newest run, if it has one. */
  lastRunState(dagId: string): RunState | undefined;
}

/** A predicate for `filter`; cheap checks first, so the run store is asked only about candidates. */
export function dagMatcher(filter: DagFilter, facts: DagFacts): (dag: ActiveDag) => boolean {
  const q = filter.q?.toLowerCase();
  const folder = filter.folder?.replace(/\/+$/, "");
  const { tag, owner, state } = filter;
  return (dag) => {
    const { id } = dag.definition;
    if (q !== undefined && !id.toLowerCase().includes(q)) return false;
    if (tag !== undefined && !dag.definition.tags.includes(tag)) return false;
    if (owner !== undefined && dag.definition.owner !== owner) return false;
    if (folder !== undefined && !inFolder(dag.file, folder) && !inFolder(dag.pathInDags, folder))
      return false;
    return state === undefined || inState(dag, state, facts);
  };
}

function inFolder(file: string, folder: string): boolean {
  return folder === "" || file.startsWith(`${folder}/`);
}

function inState(dag: ActiveDag, state: DagStateFilter, facts: DagFacts): boolean {
  const id = dag.definition.id;
  switch (state) {
    case "active":
      return !facts.isPaused(id);
    case "paused":
      return facts.isPaused(id);
    case "stale":
      return dag.stale;
    case "failing":
      return facts.lastRunState(id) === "failed";
    case "running": {
      const last = facts.lastRunState(id);
      return last === "running" || last === "queued";
    }
  }
}
