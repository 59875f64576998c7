import type { DagRegistry } from "../dags/dag-registry.ts";
import type { RunStore } from "../store/run-store.ts";

/**
 * Writes the loaded DAGs' definitions ahead of their runs (see RunStore.keepDefinitions), now and
 * after each DAG set change, until the returned function is called. A refused write is the store's
 * write error (health reports it); a due step then writes the definitions with its runs, as it can.
 */
export function keepLoadedDefinitions(
  store: Pick<RunStore, "keepDefinitions">,
  registry: Pick<DagRegistry, "all" | "onChange">,
): () => void {
  const keep = () =>
    void store.keepDefinitions(registry.all().map((dag) => dag.definition)).catch(() => undefined);
  keep();
  return registry.onChange(keep);
}
