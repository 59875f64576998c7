import type { AppDeps } from "../app-deps.ts";

/** What `GET /api/status` answers and the status page's sync card shows. */
export function statusView(deps: AppDeps) {
  const dags = deps.registry.all();
  const runs = deps.store.activeRuns();
  return {
    sync: deps.source.status(),
    dags: {
      total: dags.length,
      paused: dags.filter((dag) => deps.scheduler.isPaused(dag.definition.id)).length,
      importErrors: deps.registry.importErrors().length,
    },
    runs: {
      running: runs.filter((run) => run.state === "running").length,
      queued: runs.filter((run) => run.state === "queued").length,
    },
    /** `--pool`: slots, tries holding one (queued or running), tries waiting for one. */
    pools: deps.scheduler.pools?.() ?? [],
    version: deps.version,
    ...(deps.leadership ? { leader: deps.leadership() } : {}),
  };
}
