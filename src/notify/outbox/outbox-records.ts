import { createHash } from "node:crypto";
import { z } from "zod";
import { type Channel, channelKey, type Notification } from "../notification.ts";

/**
 * One channel's copy of one notification, as stored in `m-<key>.json`: everything needed to send it
 * after a restart. `seq` orders messages of a channel; `enqueuedAt` starts the one-day retry limit.
 */
export interface MessageRecord {
  v: 1;
  key: string;
  seq: number;
  enqueuedAt: number;
  channel: Channel;
  notification: Notification;
}

/** The members of a digest, stored in `d-<id>.json` before it is first sent so its id stays the same. */
export interface DigestRecord {
  v: 1;
  id: string;
  channelKey: string;
  /** Message keys, oldest first. */
  members: string[];
  createdAt: number;
}

/** Names one (notification, channel) pair without naming the URL: the dedupe key and file name. */
export function messageKey(notificationId: string, channel: Channel): string {
  return createHash("sha256")
    .update(`${notificationId}\n${channelKey(channel)}`)
    .digest("hex")
    .slice(0, 40);
}

/** A digest's id, derived from its members: the same members make the same id. */
export function digestId(members: readonly string[]): string {
  return `digest-${createHash("sha256").update(members.join(",")).digest("hex").slice(0, 32)}`;
}

const KEY = z.string().regex(/^[0-9a-f]{40}$/);

const channelSchema = z.union([
  z.object({ type: z.literal("email"), to: z.array(z.string()).min(1) }),
  z.object({ type: z.literal("slack"), url: z.string() }),
  z.object({ type: z.literal("webhook"), url: z.string() }),
]);

const text = z.string().nullable();

// Checked as a whole: a channel sender must never get a half notification from a damaged file.
// Loose: a field added to Notification later is kept, not stripped.
const notificationSchema = z.looseObject({
  id: z.string(),
  event: z.enum(["failure", "retry", "success", "missed_schedule", "sync_failure"]),
  title: z.string(),
  at: z.string(),
  dag: text,
  run: text,
  task: text,
  try: z.number().nullable(),
  state: text,
  reason: text,
  commit: text,
  logicalDate: text,
  logTail: z.array(z.string()),
  links: z.looseObject({ run: text, log: text, sync: text }),
  missed: z.object({ kind: z.enum(["start", "finish"]) }).optional(),
});

const messageSchema = z.object({
  v: z.literal(1),
  key: KEY,
  seq: z.number().int().nonnegative(),
  enqueuedAt: z.number(),
  channel: channelSchema,
  notification: notificationSchema,
});

const digestSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(/^digest-[0-9a-f]{32}$/),
  channelKey: z.string(),
  members: z.array(KEY).min(1),
  createdAt: z.number(),
});

/** The record in a message file's text, or undefined when it is not one (truncated, garbage, renamed). */
export function parseMessage(text: string, key: string): MessageRecord | undefined {
  const parsed = messageSchema.safeParse(safeJson(text));
  if (!parsed.success) return undefined;
  const record: MessageRecord = parsed.data;
  return record.key === key && messageKey(record.notification.id, record.channel) === key
    ? record
    : undefined;
}

export function parseDigest(text: string, id: string): DigestRecord | undefined {
  const parsed = digestSchema.safeParse(safeJson(text));
  return parsed.success && parsed.data.id === id ? parsed.data : undefined;
}

/** A record a later updraft wrote (`"v"` above 1): not this version's to read, nor to set aside. */
export function isLaterVersion(text: string): boolean {
  const json = safeJson(text);
  if (typeof json !== "object" || json === null || !("v" in json)) return false;
  return typeof json.v === "number" && json.v > 1;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
