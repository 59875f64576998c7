import type { Metrics } from "../../metrics/metrics.ts";

/** The part of the daemon's metrics the outbox reports to. */
export type OutboxMetrics = Pick<Metrics, "outboxSize" | "notificationDelivery" | "notificationDropped">;

export const noOutboxMetrics: OutboxMetrics = {
  outboxSize() {},
  notificationDelivery() {},
  notificationDropped() {},
};
