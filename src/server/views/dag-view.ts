import type { ActiveDag } from "../../dags/active-dags.ts";
import { nextRunAfter } from "../../scheduler/next-run.ts";

/** One DAG as `GET /api/dags` lists it. */
export function dagSummary(dag: ActiveDag, now: Date) {
  const { definition } = dag;
  return {
    id: definition.id,
    file: dag.file,
    line: dag.line,
    schedule: definition.schedule,
    timezone: definition.timezone,
    paused: definition.pausedOnCreation,
    nextRunAt: nextRunAfter(definition, now)?.toISOString() ?? null,
    commit: dag.commit,
    tasks: definition.tasks.map((task) => ({ id: task.id, image: task.image, dependsOn: task.dependsOn })),
    lastRun: null,
    stale: dag.stale,
    importError: dag.importError,
  };
}

/** One DAG with its whole definition (`GET /api/dags/:dagId`). */
export function dagDetail(dag: ActiveDag, now: Date) {
  return { ...dagSummary(dag, now), definition: dag.definition, runs: [] };
}
