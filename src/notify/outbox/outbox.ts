import path from "node:path";
import type { Logger } from "../../log/logger.ts";
import { durableStateWriter, ensurePrivateDir, type StateWriter } from "../../store/durable-write.ts";
import {
  type Channel,
  type ChannelSender,
  channelKey,
  channelLabel,
  type Notification,
  type NotificationSink,
  type OutboxView,
  type UndeliverableMessage,
} from "../notification.ts";
import { DeliveredJournal } from "./delivered-journal.ts";
import { DeliveryLoop, type OutboxEvent } from "./delivery-loop.ts";
import { type OutboxClock, systemClock } from "./outbox-clock.ts";
import { noOutboxMetrics, type OutboxMetrics } from "./outbox-metrics.ts";
import { type MessageRecord, messageKey } from "./outbox-records.ts";
import { DELIVERED_FILE, OutboxStore, UNDELIVERABLE_FILE } from "./outbox-store.ts";
import { loadPending } from "./load-pending.ts";
import { UndeliverableList } from "./undeliverable-list.ts";

export type { OutboxEvent } from "./delivery-loop.ts";
export type { OutboxClock } from "./outbox-clock.ts";

export interface OutboxOptions {
  /** `<state-dir>/outbox`: created if missing. */
  dir: string;
  sender: ChannelSender;
  log: Logger;
  now?: () => Date;
  /** Time and timers (tests move them by hand); default: the system clock with `now`. */
  clock?: OutboxClock;
  /** Writes message files durably (tests inject one that fails like a full disk). */
  writer?: StateWriter;
  metrics?: OutboxMetrics;
  /** Messages waiting (each channel's copy counts); beyond it new ones are refused and counted. Default 5000. */
  maxPending?: number;
  /** Channels sent to at once. Default 4. */
  maxParallel?: number;
  /** Single sends per channel per window (default 3 per 60 s); the rest of a burst goes as one digest. */
  burstLimit?: number;
  burstWindowMs?: number;
  /** Notifications per digest. Default 500. */
  digestMax?: number;
  /** Give up on a message this long after it was enqueued. Default 24 h. */
  maxAgeMs?: number;
  /** Default 10 s: a slower send frees its slot for other channels. */
  slowSendMs?: number;
  /** Default 2 min: a send not answered by then is a failed try. */
  sendTimeoutMs?: number;
  /** Keys of delivered messages kept for dedupe. Default 10,000. */
  keepDelivered?: number;
  /** Keys done this recently are kept beyond keepDelivered (up to 10 times as many). Default 0. */
  keepDeliveredMs?: number;
  /** Undeliverable messages kept. Default 200. */
  keepUndeliverable?: number;
  random?: () => number;
  onEvent?: (event: OutboxEvent) => void;
}

/** The persisted queue of messages: see docs/notifications.md, "Delivery". */
export interface Outbox extends NotificationSink, OutboxView {
  /** Loads what is pending (after a restart) and starts delivering. */
  start(): Promise<void>;
  /** Stops delivering; deliveries under way are abandoned, to be sent again after the next start. */
  stop(): Promise<void>;
}

/**
 * The outbox: `enqueue` resolves once each channel's copy is on disk, a background loop delivers
 * (in order per channel, retried for up to a day, bursts grouped into digests), and what was
 * acknowledged is removed durably so a restart never sends it again.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const clock = options.clock ?? systemClock(options.now);
  const writer = options.writer ?? durableStateWriter;
  const metrics = options.metrics ?? noOutboxMetrics;
  const maxPending = options.maxPending ?? 5000;
  const store = new OutboxStore(options.dir, writer);
  const journal = new DeliveredJournal(
    path.join(options.dir, DELIVERED_FILE),
    writer,
    options.keepDelivered,
    options.keepDeliveredMs,
    () => clock.now(),
  );
  const undeliverable = new UndeliverableList(
    path.join(options.dir, UNDELIVERABLE_FILE),
    writer,
    options.keepUndeliverable,
  );
  const report = () =>
    metrics.outboxSize({ pending: loop.pending, undeliverable: undeliverable.items.length });
  const loop: DeliveryLoop = new DeliveryLoop({
    store,
    journal,
    undeliverable,
    sender: options.sender,
    log: options.log,
    metrics,
    clock,
    burst: {
      limit: options.burstLimit ?? 3,
      windowMs: options.burstWindowMs ?? 60_000,
      digestMax: options.digestMax ?? 500,
    },
    maxParallel: options.maxParallel ?? 4,
    slowSendMs: options.slowSendMs ?? 10_000,
    sendTimeoutMs: options.sendTimeoutMs ?? 120_000,
    maxAgeMs: options.maxAgeMs ?? 24 * 3_600_000,
    random: options.random ?? Math.random,
    onEvent: options.onEvent ?? (() => undefined),
    onChange: () => report(),
  });
  const writing = new Map<string, Promise<void>>();
  let seq = 0;
  let started = false;
  let ready: Promise<void> | undefined;
  const dropped = { count: 0, loggedAt: Number.NEGATIVE_INFINITY };

  const init = () =>
    (ready ??= (async () => {
      await ensurePrivateDir(options.dir);
      await journal.load();
      if (!(await undeliverable.load())) {
        await store.setAside(UNDELIVERABLE_FILE);
        options.log.warn(
          { dir: options.dir },
          "outbox: undeliverable.json was not readable; moved to corrupt/",
        );
      }
      report();
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  function refuse(notification: Notification, channel: Channel): void {
    dropped.count++;
    metrics.notificationDropped();
    const now = clock.now();
    if (now - dropped.loggedAt < 60_000) return;
    options.log.warn(
      { refused: dropped.count, maxPending, channel: channelLabel(channel), id: notification.id },
      "outbox full: notifications refused (channels are down or too slow); see updraft_notifications_dropped_total",
    );
    dropped.loggedAt = now;
    dropped.count = 0;
  }

  async function enqueueOne(channel: Channel, notification: Notification): Promise<void> {
    const key = messageKey(notification.id, channel);
    if (loop.has(key) || journal.has(key)) return;
    const underWay = writing.get(key);
    if (underWay) return underWay;
    if (loop.pending + writing.size >= maxPending) return refuse(notification, channel);
    // Taken now, in call order; time-based, so a message enqueued before start() (before the
    // highest seq on disk is known) still sorts after the older ones.
    seq = Math.max(seq + 1, clock.now() * 1000);
    const record: MessageRecord = { v: 1, key, seq, enqueuedAt: clock.now(), channel, notification };
    const write = (async () => {
      // Stored by an earlier run and not loaded yet (before start()).
      if (await store.hasMessage(key)) return;
      try {
        await store.writeMessage(record);
      } catch (error) {
        throw new Error(
          `outbox: could not store notification ${notification.id} for ${channelLabel(channel)} in ${options.dir} (${(error as Error).message}); free space in --state-dir`,
          { cause: error },
        );
      }
      loop.add(record, channelLabel(channel), channelKey(channel));
    })();
    writing.set(key, write);
    try {
      await write;
    } finally {
      writing.delete(key);
    }
  }

  return {
    knows(channel: Channel, notificationId: string) {
      const key = messageKey(notificationId, channel);
      return loop.has(key) || journal.has(key) || writing.has(key);
    },
    async enqueue(channels: readonly Channel[], notification: Notification) {
      await init();
      const results = await Promise.allSettled(channels.map((channel) => enqueueOne(channel, notification)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
    async start() {
      if (started) return;
      started = true;
      await init();
      loop.reset();
      const loaded = await loadPending(store, journal, loop, options.log);
      seq = Math.max(seq, loaded.nextSeq - 1);
      loop.start();
    },
    async stop() {
      started = false;
      await loop.stop();
    },
    pendingCount: () => loop.pending,
    undeliverable: (): UndeliverableMessage[] => undeliverable.items,
  };
}
