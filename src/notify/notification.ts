import type { NotifyChannelSpec } from "../dags/spec/notify-schema.ts";

/** What happened, as a notification names it. */
export type NotifyEvent = "failure" | "retry" | "success" | "missed_schedule" | "sync_failure";

/**
 * One thing to tell people, with everything a reader needs so they do not have to click: built once
 * per event, masked before it is built into a message, and stored in the outbox as is.
 */
export interface Notification {
  /** The same event always gets the same id: enqueueing it twice is a no-op, receivers can dedupe. */
  id: string;
  event: NotifyEvent;
  /** One line: `updraft: task etl.load failed in run manual__… (try 3): exit code 1`. */
  title: string;
  /** When it happened (ISO). */
  at: string;
  dag: string | null;
  run: string | null;
  task: string | null;
  try: number | null;
  /** The task's or run's state (`failed`, `up_for_retry`, `success`), `missed` or `import_error`. */
  state: string | null;
  reason: string | null;
  /** The commit the run used (or the sync tried). */
  commit: string | null;
  /** The run's logical date, or the missed one (ISO). */
  logicalDate: string | null;
  /** The last lines of the try's log (at most 20, each cut short, secrets masked); [] when none. */
  logTail: string[];
  links: { run: string | null; log: string | null; sync: string | null };
  /** A missed schedule: not started or not finished in time. */
  missed?: { kind: "start" | "finish" };
}

/** Where one message goes. Email recipients are kept sorted and lower-cased (see channelOf). */
export type Channel =
  { type: "email"; to: string[] } | { type: "slack"; url: string } | { type: "webhook"; url: string };

/** A channel as a DAG or a flag declares it, normalised. */
export function channelOf(spec: NotifyChannelSpec): Channel {
  if ("email" in spec)
    return { type: "email", to: [...new Set(spec.email.map((a) => a.trim().toLowerCase()))].sort() };
  if ("slack" in spec) return { type: "slack", url: spec.slack };
  return { type: "webhook", url: spec.webhook };
}

/** Identifies a channel: messages for the same key are delivered in order and grouped into digests. */
export function channelKey(channel: Channel): string {
  return channel.type === "email" ? `email:${channel.to.join(",")}` : `${channel.type}:${channel.url}`;
}

/**
 * A channel as logs, metrics and the page may show it: webhook and Slack URLs carry their secret in
 * the path, so only the host is named.
 */
export function channelLabel(channel: Channel): string {
  if (channel.type === "email") return `email ${channel.to.join(", ")}`;
  let host = "(invalid URL)";
  try {
    host = new URL(channel.url).host;
  } catch {
    // keep the placeholder
  }
  return `${channel.type} ${host}`;
}

/**
 * One send to one channel: a single notification, or a digest of several (a burst). `id` is the
 * same each time this delivery is tried again, and is the idempotency key where a channel has one
 * (the email Message-ID, the webhook `Idempotency-Key` header).
 */
export interface Delivery {
  id: string;
  channel: Channel;
  /** One, or more for a digest, oldest first. */
  notifications: Notification[];
}

/** Why a send failed; `retryable: false` makes the message undeliverable at once (a 4xx, a bad address). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The channel asked to wait this long (`Retry-After`). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** Sends one delivery; resolves once the channel acknowledged it, rejects (DeliveryError or any Error) otherwise. */
export interface ChannelSender {
  send(delivery: Delivery): Promise<void>;
}

/** A message the outbox gave up on, as the page and `GET /api/notifications` show it. */
export interface UndeliverableMessage {
  id: string;
  /** channelLabel: no secret. */
  channel: string;
  event: NotifyEvent | "digest";
  title: string;
  /** How many notifications it carried (more than 1 for a digest). */
  count: number;
  attempts: number;
  firstAttemptAt: string | null;
  gaveUpAt: string;
  lastError: string;
}

/** What routing hands notifications to. */
export interface NotificationSink {
  /** Stores the notification for each channel (durably) before resolving; a dead channel never makes it wait. */
  enqueue(channels: readonly Channel[], notification: Notification): Promise<void>;
  /** Whether the notification with this id is queued or was sent to the channel already (enqueueing it is a no-op). */
  knows?(channel: Channel, notificationId: string): boolean;
}

/** What the page, the API and /metrics read. */
export interface OutboxView {
  /** Messages waiting to be delivered (each channel's copy counts). */
  pendingCount(): number;
  /** The newest messages given up on, newest first. */
  undeliverable(): UndeliverableMessage[];
}
