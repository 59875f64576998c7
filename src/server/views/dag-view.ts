import type { ActiveDag } from "../../dags/active-dags.ts";
import { paramsJsonSchema } from "../../dags/spec/params-json-schema.ts";
import { withRedactedChannels } from "../../notify/routing/redact-channel-urls.ts";
import type { AppDeps, RunReader } from "../app-deps.ts";
import { missedScheduleView, RUNS_TO_CLEAR_MISSED } from "./missed-schedule-view.ts";
import { nextRunAt } from "./next-run-at.ts";
import { runSummary } from "./run-view.ts";

export interface DagViewContext {
  store: Pick<RunReader, "dag" | "runsOf" | "state">;
  isPaused: (dagId: string) => boolean;
  now: Date;
}

/** The context DAG views are computed in, now. */
export function dagViewContext(deps: AppDeps): DagViewContext {
  return { store: deps.store, isPaused: (id) => deps.scheduler.isPaused(id), now: new Date() };
}

/** One DAG as `GET /api/dags` lists it. */
export function dagSummary(dag: ActiveDag, context: DagViewContext) {
  const { definition } = dag;
  const state = context.store.dag(definition.id);
  const paused = context.isPaused(definition.id);
  const after = state?.lastScheduledAt
    ? new Date(Math.max(new Date(state.lastScheduledAt).getTime(), context.now.getTime()))
    : context.now;
  const newestRuns = context.store.runsOf(definition.id, state?.missedSchedule ? RUNS_TO_CLEAR_MISSED : 1);
  const lastRun = newestRuns[0];
  return {
    id: definition.id,
    file: dag.file,
    line: dag.line,
    schedule: definition.schedule,
    timezone: definition.timezone,
    paused,
    nextRunAt: paused ? null : (nextRunAt(definition, after)?.toISOString() ?? null),
    commit: dag.commit,
    tasks: definition.tasks.map((task) => ({ id: task.id, image: task.image, dependsOn: task.dependsOn })),
    lastRun: lastRun ? { id: lastRun.id, state: lastRun.state, logicalDate: lastRun.logicalDate } : null,
    stale: dag.stale,
    importError: dag.importError,
    missedSchedule: missedScheduleView(state, newestRuns),
  };
}

/** One DAG with its whole definition and recent runs (`GET /api/dags/:dagId`). */
export function dagDetail(dag: ActiveDag, context: DagViewContext) {
  return {
    ...dagSummary(dag, context),
    // Channel URLs carry their secret in the path: only their origin is shown.
    definition: withRedactedChannels(dag.definition),
    /** The params as JSON Schema (draft 2020-12): what a trigger's conf must fit. */
    params: paramsJsonSchema(dag.definition.params),
    skipped: context.store.dag(dag.definition.id)?.skipped ?? [],
    runs: context.store.runsOf(dag.definition.id, 25).map(runSummary),
  };
}
