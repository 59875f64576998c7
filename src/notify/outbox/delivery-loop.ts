import type { Logger } from "../../log/logger.ts";
import type { Channel, ChannelSender, Delivery, Notification } from "../notification.ts";
import { type BurstLimits, ChannelQueue, type SendUnit } from "./channel-queue.ts";
import type { DeliveredJournal } from "./delivered-journal.ts";
import { errorText } from "./error-text.ts";
import type { OutboxClock } from "./outbox-clock.ts";
import type { OutboxMetrics } from "./outbox-metrics.ts";
import type { MessageRecord } from "./outbox-records.ts";
import type { OutboxStore } from "./outbox-store.ts";
import { afterFailure } from "./retry-schedule.ts";
import { sendWithTimeout } from "./send-with-timeout.ts";
import { type UndeliverableList, undeliverableEntry } from "./undeliverable-list.ts";

/** What the loop did, for tests and the composition root's log. */
export type OutboxEvent =
  | { type: "delivered"; id: string; count: number }
  | { type: "retry"; id: string; attempts: number; nextAt: number }
  | { type: "undeliverable"; id: string; count: number };

export interface DeliveryLoopOptions {
  store: OutboxStore;
  journal: DeliveredJournal;
  undeliverable: UndeliverableList;
  sender: ChannelSender;
  log: Logger;
  metrics: OutboxMetrics;
  clock: OutboxClock;
  burst: BurstLimits;
  maxParallel: number;
  /** A send slower than this no longer takes one of the `maxParallel` slots: a hanging channel holds up no other. */
  slowSendMs: number;
  /** A send not settled by then counts as a failed try (it is abandoned and tried again later). */
  sendTimeoutMs: number;
  maxAgeMs: number;
  random: () => number;
  onEvent: (event: OutboxEvent) => void;
  onChange: () => void;
}

/**
 * Sends what is due in the background: one unit at a time per channel, at most `maxParallel`
 * channels at once, retries on the schedule, and removes a unit durably once it is acknowledged.
 */
export class DeliveryLoop {
  readonly #channels = new Map<string, ChannelQueue>();
  /** Message key → its channel's key. */
  readonly #index = new Map<string, string>();
  readonly #finishing = new Set<Promise<void>>();
  #active = 0;
  #running = false;
  #generation = 0;
  #timer: { cancel(): void } | undefined;

  constructor(readonly options: DeliveryLoopOptions) {}

  get pending(): number {
    return this.#index.size;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  add(record: MessageRecord, label: string, channelKey: string): void {
    if (this.#index.has(record.key)) return;
    let queue = this.#channels.get(channelKey);
    if (!queue)
      this.#channels.set(channelKey, (queue = new ChannelQueue(channelKey, record.channel.type, label)));
    const { key, seq, enqueuedAt } = record;
    queue.insert({
      key,
      seq,
      enqueuedAt,
      event: record.notification.event,
      title: record.notification.title,
    });
    this.#index.set(key, channelKey);
    this.options.onChange();
    this.#pump();
  }

  restoreDigest(channelKey: string, id: string, members: readonly string[]): void {
    this.#channels.get(channelKey)?.restoreDigest(id, members);
  }

  /** Forgets everything in memory (start reloads it from disk). */
  reset(): void {
    this.#channels.clear();
    this.#index.clear();
    this.options.onChange();
  }

  start(): void {
    this.#running = true;
    this.#pump();
  }

  /** Stops sending; sends under way are abandoned (their outcome is ignored), removals under way finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#active = 0;
    for (const queue of this.#channels.values()) queue.busy = false;
    await Promise.allSettled([...this.#finishing]);
  }

  #pump(): void {
    if (!this.#running) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    const { clock, burst } = this.options;
    const now = clock.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const [key, queue] of this.#channels) {
      if (queue.forgettable(now, burst)) {
        this.#channels.delete(key);
        continue;
      }
      const at = queue.nextStartAt(now, burst);
      if (at > now) wakeAt = Math.min(wakeAt, at);
      else if (this.#active < this.options.maxParallel) this.#begin(queue, now);
    }
    if (wakeAt < Number.POSITIVE_INFINITY) this.#timer = clock.setTimer(() => this.#pump(), wakeAt - now);
  }

  #begin(queue: ChannelQueue, now: number): void {
    const unit = queue.take(now, this.options.burst);
    if (!unit) return;
    queue.busy = true;
    // Moved to the end: the channels waiting longest get the next free slots.
    this.#channels.delete(queue.key);
    this.#channels.set(queue.key, queue);
    void this.#deliver(queue, unit);
  }

  async #deliver(queue: ChannelQueue, unit: SendUnit): Promise<void> {
    const { clock, log } = this.options;
    const generation = this.#generation;
    const live = () => generation === this.#generation;
    let holdsSlot = true;
    this.#active++;
    const release = () => {
      if (!holdsSlot) return;
      holdsSlot = false;
      if (live()) {
        this.#active--;
        this.#pump();
      }
    };
    const slow = clock.setTimer(release, this.options.slowSendMs);
    try {
      if (unit.kind === "digest" && !unit.persisted) {
        const keys = unit.members.map((m) => m.key);
        try {
          // Persisted before the first try, so a restart sends the same digest id with the same members.
          await this.options.store.writeDigest({
            v: 1,
            id: unit.id,
            channelKey: queue.key,
            members: keys,
            createdAt: clock.now(),
          });
        } catch (error) {
          queue.messages.unshift(...unit.members);
          throw error;
        }
        queue.digest = { id: unit.id, members: unit.members };
      }
      const delivery = await this.#load(queue, unit);
      if (!delivery) return;
      const startedAt = clock.now();
      let failure: unknown;
      try {
        await sendWithTimeout(
          this.options.sender,
          delivery.delivery,
          this.options.clock,
          this.options.sendTimeoutMs,
        );
      } catch (error) {
        failure = error ?? new Error("send failed");
      }
      if (!live()) return;
      const done =
        failure === undefined
          ? this.#done(queue, unit, delivery.delivery.id, "delivered")
          : this.#failed(queue, unit, delivery, failure, startedAt);
      this.#finishing.add(done);
      await done.finally(() => this.#finishing.delete(done));
    } catch (error) {
      if (!live()) return;
      queue.blockedUntil = clock.now() + 10_000;
      log.error(
        { channel: queue.label, error: errorText(error, undefined) },
        "outbox: could not update its files; trying again in 10s",
      );
    } finally {
      slow.cancel();
      if (live()) queue.busy = false;
      release();
      if (live()) this.#pump();
    }
  }

  /** The unit's notifications, read from disk now; members whose file is gone are dropped. */
  async #load(
    queue: ChannelQueue,
    unit: SendUnit,
  ): Promise<{ delivery: Delivery; records: MessageRecord[] } | undefined> {
    const records: MessageRecord[] = [];
    for (const member of unit.members) {
      const record = await this.options.store.readMessage(member.key);
      if (record) records.push(record);
    }
    const found = new Set(records.map((r) => r.key));
    const gone = unit.members.filter((m) => !found.has(m.key)).map((m) => m.key);
    if (gone.length > 0) this.#forget(queue, gone);
    const [first] = records;
    if (!first) {
      if (unit.kind === "digest") await this.options.store.remove([], unit.id);
      return undefined;
    }
    const channel: Channel = first.channel;
    const notifications: Notification[] = records.map((r) => r.notification);
    const id = unit.kind === "digest" ? unit.id : first.notification.id;
    return { delivery: { id, channel, notifications }, records };
  }

  async #done(
    queue: ChannelQueue,
    unit: SendUnit,
    id: string,
    result: "delivered" | "undeliverable",
  ): Promise<void> {
    const keys = unit.members.map((m) => m.key);
    // Recorded before the files go: a restart in between finds them done and does not send them again.
    await this.options.journal.add(keys);
    await this.options.store.remove(keys, unit.kind === "digest" ? unit.id : undefined);
    queue.retry = undefined;
    this.#forget(queue, keys);
    this.options.metrics.notificationDelivery({ channel: queue.type, result });
    this.options.onEvent({ type: result, id, count: keys.length });
  }

  async #failed(
    queue: ChannelQueue,
    unit: SendUnit,
    { delivery }: { delivery: Delivery },
    error: unknown,
    startedAt: number,
  ): Promise<void> {
    const { clock, log } = this.options;
    const attempts = (queue.retry?.attempts ?? 0) + 1;
    const firstAttemptAt = queue.retry?.firstAttemptAt ?? startedAt;
    const lastError = errorText(error, delivery.channel);
    const enqueuedAt = Math.min(...unit.members.map((m) => m.enqueuedAt));
    const { maxAgeMs, random } = this.options;
    const outcome = afterFailure({ error, attempts, now: clock.now(), enqueuedAt, maxAgeMs, random });
    if (!outcome.giveUp) {
      queue.retry = { attempts, nextAt: outcome.nextAt, firstAttemptAt };
      this.options.metrics.notificationDelivery({ channel: queue.type, result: "failed" });
      log.info(
        { channel: queue.label, id: delivery.id, attempts, error: lastError },
        "notification not delivered yet; will retry",
      );
      this.options.onEvent({ type: "retry", id: delivery.id, attempts, nextAt: outcome.nextAt });
      return;
    }
    await this.options.undeliverable.add(
      undeliverableEntry({
        id: delivery.id,
        label: queue.label,
        members: unit.members,
        attempts,
        firstAttemptAt,
        gaveUpAt: clock.now(),
        lastError,
      }),
    );
    log.warn(
      { channel: queue.label, id: delivery.id, attempts, error: lastError },
      `notification undeliverable (${outcome.reason}); kept in the outbox's undeliverable list`,
    );
    await this.#done(queue, unit, delivery.id, "undeliverable");
  }

  #forget(queue: ChannelQueue, keys: readonly string[]): void {
    queue.remove(new Set(keys));
    for (const key of keys) this.#index.delete(key);
    this.options.onChange();
  }
}
