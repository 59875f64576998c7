import { Counter, Gauge, type Registry } from "prom-client";
import type { Metrics } from "./metrics.ts";

/** The notification outbox's gauges and counters in `registry`, and the recorder methods that move them. */
export function outboxMetrics(
  registry: Registry,
): Pick<Metrics, "outboxSize" | "notificationDelivery" | "notificationDropped"> {
  const registers = [registry];
  const pending = new Gauge({
    name: "updraft_outbox_pending_messages",
    help: "Notification messages waiting in the outbox to be delivered (each channel's copy counts).",
    registers,
  });
  const undeliverable = new Gauge({
    name: "updraft_outbox_undeliverable_messages",
    help: "Notification messages the outbox gave up on and keeps for the page (the newest 200).",
    registers,
  });
  const deliveries = new Counter({
    name: "updraft_notification_deliveries_total",
    help: "Tries to send a notification or digest, by channel type and result: delivered, failed (will be retried), undeliverable (given up).",
    labelNames: ["channel", "result"] as const,
    registers,
  });
  const dropped = new Counter({
    name: "updraft_notifications_dropped_total",
    help: "Notifications refused because the outbox was full.",
    registers,
  });
  for (const channel of ["email", "slack", "webhook"])
    for (const result of ["delivered", "failed", "undeliverable"]) deliveries.inc({ channel, result }, 0);
  return {
    outboxSize(size) {
      pending.set(size.pending);
      undeliverable.set(size.undeliverable);
    },
    notificationDelivery({ channel, result }) {
      deliveries.inc({ channel, result });
    },
    notificationDropped() {
      dropped.inc();
    },
  };
}
