/**
 * What the daemon's parts report for `/metrics`. The run events subscriber (run-metrics.ts), the
 * DAG sources and the Kubernetes API layer call this narrow recorder; only the Prometheus
 * implementation knows prom-client.
 */
export interface Metrics {
  /** One sync attempt ended (git poll, webhook, folder reload); `ok` means applied without errors. */
  syncFinished(sync: { ok: boolean; durationMs: number; at: Date }): void;
  /** A run reached its final state; counts the run and each of its task instances by final state. */
  runFinished(run: { dagId: string; state: string; tasks: ReadonlyArray<{ state: string }> }): void;
  /** One try of a task ended. */
  tryFinished(tryEnd: { dagId: string; outcome: "success" | "failed"; durationMs: number }): void;
  /** A scheduled run's first task was started `lagMs` after the run was due. */
  runStarted(start: { dagId: string; lagMs: number }): void;
  /** Scheduled runs of a DAG missed `expectedWithin`/`finishWithin`; `count` logical dates at once. */
  missedSchedules(missed: { dagId: string; count: number }): void;
  /** A Kubernetes API call failed (`code`: HTTP status, or "network" for no response). */
  executorApiError(error: { verb: string; code: string }): void;
  /** A promise rejection nobody handled reached the daemon's last-resort handler. */
  unhandledRejection(): void;
  /** The notification outbox's size changed: messages waiting, and undeliverable ones kept. */
  outboxSize(size: { pending: number; undeliverable: number }): void;
  /** One try to send a notification (or digest) to a channel; `failed` will be retried. */
  notificationDelivery(attempt: {
    channel: "email" | "slack" | "webhook";
    result: "delivered" | "failed" | "undeliverable";
  }): void;
  /** A notification was refused because the outbox is full. */
  notificationDropped(): void;
}

/** Records nothing: the default where no metrics are wanted (unit tests, `updraft check`). */
export const noMetrics: Metrics = {
  syncFinished() {},
  runFinished() {},
  tryFinished() {},
  runStarted() {},
  missedSchedules() {},
  executorApiError() {},
  unhandledRejection() {},
  outboxSize() {},
  notificationDelivery() {},
  notificationDropped() {},
};
