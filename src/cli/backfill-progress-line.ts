/** The progress fields of `GET /api/backfills/:id` the CLI shows. */
export interface BackfillProgress {
  id: string;
  state: string;
  planned: number;
  created: number;
  kept: number;
  succeeded: number;
  failed: number;
  active: number;
  reason?: string;
}

/** Reads the progress fields from an API answer; undefined if any is missing. */
export function progressOf(body: Record<string, unknown>): BackfillProgress | undefined {
  const { id, state, planned, created, kept, succeeded, failed, active, reason } = body;
  if (typeof id !== "string" || typeof state !== "string") return undefined;
  const counts = [planned, created, kept, succeeded, failed, active];
  if (!counts.every((count) => typeof count === "number")) return undefined;
  return {
    id,
    state,
    planned: planned as number,
    created: created as number,
    kept: kept as number,
    succeeded: succeeded as number,
    failed: failed as number,
    active: active as number,
    ...(typeof reason === "string" ? { reason } : {}),
  };
}

/** One line of progress: `running 12/30 [#####.....] succeeded 10, failed 0, kept 2, active 3`. */
export function progressLine(progress: BackfillProgress, width = 20): string {
  const done = progress.succeeded + progress.failed + progress.kept;
  const filled =
    progress.planned === 0 ? width : Math.min(width, Math.floor((done / progress.planned) * width));
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const reason = progress.reason ? ` (${progress.reason})` : "";
  return `${progress.state} ${done}/${progress.planned} ${bar} succeeded ${progress.succeeded}, failed ${progress.failed}, kept ${progress.kept}, active ${progress.active}${reason}`;
}
