/** Backfill records: plain data, persisted in the state file as they are. */

/** Which logical dates that already have a run a backfill runs again. */
export type BackfillRerun = "missing" | "failed" | "all";
export type BackfillState = "running" | "success" | "failed" | "cancelled";

/**
 * One backfill of a DAG over a date range (`POST /api/dags/:dagId/backfills`). Its runs are
 * created a few at a time (never more than `maxActiveRuns` active), in logical-date order (or
 * reverse); `cursor` is the last logical date handed to a run, stored in the same write as that
 * run, so a restart continues after it and no date runs twice.
 */
export interface Backfill {
  id: string;
  dagId: string;
  /** The range as asked, as UTC ISO date-times (inclusive). */
  from: string;
  to: string;
  rerun: BackfillRerun;
  reverse: boolean;
  maxActiveRuns: number;
  conf: Record<string, unknown>;
  state: BackfillState;
  createdAt: string;
  createdBy?: string;
  endedAt: string | null;
  /** The last logical date handed out (created, rerun or kept); null before the first. */
  cursor: string | null;
  /** Logical dates in the range (the schedule's ticks), counted when the backfill was created. */
  planned: number;
  /**
   * Ids of the runs this backfill handed out that it has not counted yet (queued, running, or
   * final but not yet counted): at most `maxActiveRuns`.
   */
  active: string[];
  /** Runs created (or rerun) by this backfill so far. */
  created: number;
  /** Dates kept as they were (`rerun: "missing"` or `"failed"` and a run existed). */
  kept: number;
  succeeded: number;
  failed: number;
  reason?: string;
}

/** What `POST /api/dags/:dagId/backfills` asks for (already shape-checked). */
export interface BackfillInput {
  from: string;
  to: string;
  conf: Record<string, unknown>;
  maxActiveRuns?: number | undefined;
  reverse: boolean;
  rerun: BackfillRerun;
}
