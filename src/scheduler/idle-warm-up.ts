import type { ScheduledDag } from "./plan-tick.ts";
import { definitionKeyOf } from "../runs/run-model.ts";
import { taskTimeouts } from "./next-wake.ts";
import { taskHasTemplates } from "./templating.ts";

/**
 * What a due tick would otherwise work out for each DAG, done after a tick while the loop is idle
 * (all are kept per definition object): the key its runs store the definition under (a hash of its
 * JSON), whether each task has templates to render (asked by every start), and its tasks' timeouts
 * (asked for every run with a try running).
 */
export function warmUpDefinitions(dags: readonly ScheduledDag[]): void {
  for (const { definition } of dags) {
    definitionKeyOf(definition);
    taskTimeouts(definition);
    for (const task of definition.tasks) taskHasTemplates(task);
  }
}
