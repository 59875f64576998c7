import type { LeaderView } from "../leader/leader-view.ts";
import type { MissedSchedule } from "../runs/missed-schedule.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import type { SyncRecord } from "../sync/sync-status.ts";
import { EventBus } from "./event-bus.ts";

/**
 * Everything the daemon reports, by name. The log, metrics, notifications, the page and tests
 * subscribe; emitters do not know who listens. Payloads are snapshots the listener must not change.
 */
export interface DaemonEvents {
  /** A sync moved to a new commit (or reloaded the folder) and applied it. */
  "sync:applied": SyncRecord;
  /** A sync attempt failed (fetch, checkout or load). */
  "sync:failed": SyncRecord;
  /** A run was created (scheduled, catch-up or manual). */
  "run:created": { run: Run };
  /**
   * A run left the queue (its first tasks were started); `lagMs`: how late after its logical date,
   * for scheduled runs only (null for manual and catch-up runs).
   */
  "run:started": { run: Run; lagMs: number | null };
  /**
   * A run reached its final state (success or failed), once per run (an archive that is retried
   * does not report it again). Emitted in the step that shows the state to readers, before it is
   * archived.
   */
  "run:finished": { run: Run };
  /** A try is running (its process or Pod exists). */
  "try:started": { run: Run; task: TaskInstance };
  /**
   * A try ended; `task.state` says how (success, failed, up_for_retry). `durationMs`: since it ran,
   * or null if it never ran (failed before starting, or the scheduler failed it: template error...).
   * Tries ended by failing their whole run (concurrencyPolicy replace) are reported by run:finished.
   */
  "try:finished": { run: Run; task: TaskInstance; durationMs: number | null };
  /**
   * Scheduled runs of a DAG were late past `expectedWithin`/`finishWithin` (one event per DAG per
   * tick, once per logical date; stored as alerted before it is emitted).
   */
  "schedule:missed": MissedSchedule;
  /** This replica's leadership changed (leader election). */
  "leadership:changed": LeaderView;
}

export type DaemonEventBus = EventBus<DaemonEvents>;

export function createDaemonEvents(onListenerError?: (error: unknown, event: keyof DaemonEvents) => void) {
  return new EventBus<DaemonEvents>(onListenerError);
}
