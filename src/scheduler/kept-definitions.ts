import type { DagChanges } from "../dags/active-dags.ts";
import type { DagRegistry } from "../dags/dag-registry.ts";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import { definitionKeyOf } from "../runs/run-model.ts";
import type { RunStore } from "../store/run-store.ts";

/**
 * Writes the loaded DAGs' definitions ahead of their runs (see RunStore.keepDefinitions): all of
 * them when scheduling starts, then those of the DAGs each DAG set change added or updated (a push
 * of one file costs one definition, not a pass over 10,000). A refused write is the store's write
 * error (health reports it); a due step then writes the definitions with its runs, as it can.
 * Returns the function that stops it.
 */
export function keepLoadedDefinitions(
  store: Pick<RunStore, "keepDefinitions">,
  registry: Pick<DagRegistry, "all" | "get" | "onChange">,
): () => void {
  /** The key kept for each DAG id. */
  const kept = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();
  const keep = (ids: Iterable<string>, removed: Iterable<string>) => {
    const add: DagDefinition[] = [];
    const release: string[] = [];
    for (const id of ids) {
      const definition = registry.get(id)?.definition;
      if (!definition) continue;
      const key = definitionKeyOf(definition);
      const before = kept.get(id);
      if (before === key) continue;
      if (before !== undefined) release.push(before);
      kept.set(id, key);
      add.push(definition);
    }
    for (const id of removed) {
      const before = kept.get(id);
      if (before !== undefined) release.push(before);
      kept.delete(id);
    }
    if (add.length === 0 && release.length === 0) return;
    // In order; the store writes many in lines of DEFINITIONS_PER_WRITE.
    queue = queue.then(() => store.keepDefinitions(add, release)).catch(() => undefined);
  };
  keep(
    registry.all().map((dag) => dag.definition.id),
    [],
  );
  return registry.onChange((changes: DagChanges) =>
    keep([...changes.added, ...changes.updated], changes.removed),
  );
}
