import { dagSchema, type TaskDefinition } from "../../src/dags/spec/dag-schema.ts";

/**
 * One `pod({...})` task, id `task` (image node:20 unless `fields` say otherwise), of DAG `dagId`, as
 * the daemon loads it: the real DAG schema fills the defaults and validates.
 */
export function podTaskIn(dagId: string, fields: Record<string, unknown> = {}): TaskDefinition {
  const dag = dagSchema.parse({
    kind: "dag",
    id: dagId,
    schedule: null,
    tasks: [{ kind: "pod", id: "task", image: "node:20", ...fields }],
  });
  const [task] = dag.tasks;
  if (!task) throw new Error("fixture DAG has no task");
  return task;
}
