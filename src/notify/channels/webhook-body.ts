import type { Delivery, Notification } from "../notification.ts";
import { digestTitle } from "./message-fields.ts";

/**
 * The JSON a webhook receives for one notification: a superset of round 1's failure and
 * missed-schedule bodies (`text`, `dag`, `run`, `task`, `try`, `reason`, `logUrl`; `logicalDate`,
 * `kind`, `count`), so existing receivers keep working.
 */
export interface WebhookNotificationBody {
  text: string;
  id: string;
  event: Notification["event"];
  at: string;
  dag: string | null;
  run: string | null;
  task: string | null;
  try: number | null;
  state: string | null;
  reason: string | null;
  commit: string | null;
  logicalDate: string | null;
  logTail: string[];
  runUrl: string | null;
  logUrl: string | null;
  syncUrl: string | null;
  /** Missed schedules only, as round 1 sent them. */
  kind?: "start" | "finish";
  count?: 1;
}

/** A burst to one webhook: each notification as it would have been sent alone. */
export interface WebhookDigestBody {
  text: string;
  id: string;
  event: "digest";
  count: number;
  notifications: WebhookNotificationBody[];
}

/** The body for a delivery: the notification's own, or a digest of several. */
export function renderWebhook(delivery: Delivery): WebhookNotificationBody | WebhookDigestBody {
  const { notifications } = delivery;
  const [only] = notifications;
  if (only && notifications.length === 1) return notificationBody(only);
  return {
    text: digestTitle(notifications.length),
    id: delivery.id,
    event: "digest",
    count: notifications.length,
    notifications: notifications.map(notificationBody),
  };
}

function notificationBody(n: Notification): WebhookNotificationBody {
  return {
    text: n.title,
    id: n.id,
    event: n.event,
    at: n.at,
    dag: n.dag,
    run: n.run,
    task: n.task,
    try: n.try,
    state: n.state,
    reason: n.reason,
    commit: n.commit,
    logicalDate: n.logicalDate,
    logTail: n.logTail,
    runUrl: n.links.run,
    logUrl: n.links.log,
    syncUrl: n.links.sync,
    ...(n.missed ? { kind: n.missed.kind, count: 1 as const } : {}),
  };
}
