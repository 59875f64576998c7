import type { NotifyChannelSpec } from "../dags/spec/notify-schema.ts";

/**
 * Scheduled runs late past `expectedWithin`/`finishWithin`, alerted now: at most one per DAG per
 * tick, for the newest late logical date, with how many dates this alert covers (after a downtime).
 */
export interface MissedSchedule {
  dagId: string;
  /** The newest logical date missed (ISO). */
  logicalDate: string;
  /** `expectedWithin` (not started) or `finishWithin` (not finished). */
  kind: "start" | "finish";
  /** Why, in words: `no run started within 15m of 2026-12-05T06:00:00.000Z (DAG paused)`. */
  reason: string;
  /** The same without the date: `no run started within 15m (DAG paused)`. */
  summary: string;
  /** Logical dates this alert covers (1 unless several were missed at once, after a downtime). */
  count: number;
  /** Each logical date this alert covers, oldest first, with its own reason (at most the newest 100: one check's ticks). */
  dates: MissedDate[];
  /** The DAG's time zone, to name the logical date in. */
  timezone: string;
  /** The DAG's own failure channel (`onFailure.url`), besides `--notify-url`. */
  onFailureUrl: string | null;
  /** The DAG's `notify.onMissedSchedule` channels (empty when it declares none). */
  onMissedSchedule: NotifyChannelSpec[];
}

/** One missed logical date: each gets its own notification. */
export interface MissedDate {
  logicalDate: string;
  kind: "start" | "finish";
  reason: string;
  summary: string;
}
