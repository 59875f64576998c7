import { syncAnchor } from "../../github/commit-status-text.ts";

/** Absolute links into the status page (see page-routes.ts), for texts read outside the daemon (notifications). */
export interface PageLinks {
  run(runId: string): string;
  taskLog(key: { runId: string; taskId: string; try: number }): string;
  sync(sha: string): string;
}

/** Links on `baseUrl()`: `--public-url`, else where the daemon listens. */
export function pageLinks(baseUrl: () => string): PageLinks {
  const base = () => baseUrl().replace(/\/+$/, "");
  const run = (runId: string) => `${base()}/runs/${encodeURIComponent(runId)}`;
  return {
    run,
    taskLog: (key) => `${run(key.runId)}/tasks/${encodeURIComponent(key.taskId)}/logs?try=${key.try}`,
    sync: (sha) => `${base()}/syncs#${syncAnchor(sha)}`,
  };
}
