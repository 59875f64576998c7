import type { Delivery, Notification } from "../notification.ts";
import { cut, digestTitle } from "./message-fields.ts";

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
    notifications: withinBudget(notifications.map(notificationBody)),
  };
}

/** A digest body stays below this (nginx takes 1 MB by default; a 413 would lose every member). */
const DIGEST_BYTES = 900 * 1024;

/**
 * The members as they are while the digest fits; else shortened step by step (log tails to their
 * last lines, then none, then reasons and texts cut): each member stays, with its links.
 */
function withinBudget(members: WebhookNotificationBody[]): WebhookNotificationBody[] {
  const steps: Array<(m: WebhookNotificationBody) => WebhookNotificationBody> = [
    (m) => ({ ...m, logTail: m.logTail.slice(-3) }),
    (m) => ({ ...m, logTail: [] }),
    (m) => ({ ...m, text: cut(m.text, 300), reason: m.reason === null ? null : cut(m.reason, 300) }),
  ];
  let shown = members;
  for (const step of steps) {
    if (Buffer.byteLength(JSON.stringify(shown)) <= DIGEST_BYTES) break;
    shown = shown.map(step);
  }
  return shown;
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
