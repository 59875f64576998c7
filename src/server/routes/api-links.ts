/** Absolute links into the HTTP API, for texts read outside the daemon (failure notifications). */
export function apiLinks(baseUrl: () => string) {
  return {
    /** `GET /api/runs/:runId/tasks/:taskId/logs?try=N` (see run-routes.ts). */
    taskLog(key: { runId: string; taskId: string; try: number }): string {
      return `${baseUrl()}/api/runs/${encodeURIComponent(key.runId)}/tasks/${encodeURIComponent(key.taskId)}/logs?try=${key.try}`;
    },
  };
}
