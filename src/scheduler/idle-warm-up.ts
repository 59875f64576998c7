import type { ScheduledDag } from "./plan-tick.ts";
import { definitionKeyOf } from "../runs/run-model.ts";
import { taskHasTemplates } from "./templating.ts";

/**
 * What a due tick would otherwise work out for each DAG, done after a tick while the loop is idle
 * (both are kept per definition object): the key its runs store the definition under (a hash of its
 * JSON), and whether each task has templates to render (asked by every start).
 */
export function warmUpDefinitions(dags: readonly ScheduledDag[]): void {
  for (const { definition } of dags) {
    definitionKeyOf(definition);
    for (const task of definition.tasks) taskHasTemplates(task);
  }
}
