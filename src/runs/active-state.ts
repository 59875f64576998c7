import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { Backfill } from "./backfill-model.ts";
import type { Run } from "./run-model.ts";

/** Per-DAG scheduling state that must survive restarts. */
export interface DagState {
  paused: boolean;
  /** Logical date of the newest scheduled run created (catch-up and restarts continue from here). */
  lastScheduledAt: string | null;
  /** Scheduled runs not created, and why (forbid policy, catch-up bound); newest last, bounded. */
  skipped: Array<{ logicalDate: string; reason: string; at: string }>;
  /**
   * Missed-schedule checks (`expectedWithin`/`finishWithin`) are done for every logical date up to
   * this one (alerted, or in time), so a restart never alerts twice for the same tick. Set to the
   * time the daemon first checked the DAG: ticks before it are never alerted.
   */
  missedAlertedThrough?: string;
  /** The schedule (cron and time zone) the watermark above was checked against: a new one starts from then. */
  missedCheckedSchedule?: string;
  /** The newest missed-schedule alert, for the page and the API (see src/scheduler/missed-schedules.ts). */
  missedSchedule?: { logicalDate: string; kind: "start" | "finish"; reason: string; at: string };
}

/**
 * The state file (`state.json`), small and hot: DAG flags and active runs only, so a write never
 * grows with history. Its records are keyed by ids and have no prototype: the store builds and
 * revives them (src/store/run-store.ts), never a plain object literal.
 */
export interface ActiveState {
  version: 1;
  dags: Record<string, DagState>;
  runs: Record<string, Run>;
  /** The definitions active runs use, once each (by `Run.definitionKey`). */
  definitions: Record<string, DagDefinition>;
  /** Backfills by id: running ones and the newest finished ones (see backfill-model.ts). */
  backfills: Record<string, Backfill>;
}
