import type { Channel, NotifyEvent } from "../notification.ts";
import { digestId } from "./outbox-records.ts";

/** What the loop keeps in memory per message: the notification itself stays on disk until it is sent. */
export interface PendingMessage {
  key: string;
  seq: number;
  enqueuedAt: number;
  event: NotifyEvent;
  title: string;
}

/** At most `limit` single sends per `windowMs` to a channel; what comes beyond waits and goes as one digest. */
export interface BurstLimits {
  limit: number;
  windowMs: number;
  /** Notifications per digest; the rest go in the next one. */
  digestMax: number;
}

/** One send: a message alone, or a digest (`persisted` once its members are on disk under its id). */
export type SendUnit =
  | { kind: "single"; members: [PendingMessage] }
  | { kind: "digest"; id: string; members: PendingMessage[]; persisted: boolean };

export interface RetryState {
  attempts: number;
  nextAt: number;
  firstAttemptAt: number;
}

/**
 * One channel's messages, oldest first, and its burst window. Only the head unit (a message or a
 * digest of the oldest ones) is ever sent or retried, so a channel's messages arrive in order.
 */
export class ChannelQueue {
  readonly messages: PendingMessage[] = [];
  digest: { id: string; members: PendingMessage[] } | undefined;
  /** Of the head unit, after it failed. */
  retry: RetryState | undefined;
  busy = false;
  /** Not before then (after a disk error). */
  blockedUntil = 0;
  #windowStart = Number.NEGATIVE_INFINITY;
  #sentInWindow = 0;
  #holding = false;

  constructor(
    readonly key: string,
    readonly type: Channel["type"],
    readonly label: string,
  ) {}

  get size(): number {
    return this.messages.length + (this.digest?.members.length ?? 0);
  }

  insert(message: PendingMessage): void {
    let at = this.messages.length;
    while (at > 0 && (this.messages[at - 1]?.seq ?? 0) > message.seq) at--;
    this.messages.splice(at, 0, message);
  }

  remove(keys: ReadonlySet<string>): void {
    if (this.digest && this.digest.members.some((m) => keys.has(m.key))) this.digest = undefined;
    for (let i = this.messages.length - 1; i >= 0; i--)
      if (keys.has(this.messages[i]?.key ?? "")) this.messages.splice(i, 1);
  }

  /** Restores a digest found on disk: its members leave the queue of single messages. */
  restoreDigest(id: string, keys: readonly string[]): void {
    const wanted = new Set(keys);
    const members = this.messages.filter((m) => wanted.has(m.key));
    if (members.length === 0) return;
    this.remove(wanted);
    this.digest = { id, members };
  }

  /** Nothing to send and the burst window is over: the queue may be dropped without losing its count. */
  forgettable(now: number, burst: BurstLimits): boolean {
    return this.size === 0 && !this.busy && now >= this.#windowStart + burst.windowMs;
  }

  /** When the next send may start (Infinity: nothing to send, or a send is under way). */
  nextStartAt(now: number, burst: BurstLimits): number {
    if (this.busy || this.size === 0) return Number.POSITIVE_INFINITY;
    let at = now;
    if (this.digest || this.retry) at = this.retry?.nextAt ?? now;
    else if (now < this.#windowStart + burst.windowMs && this.#sentInWindow >= burst.limit) {
      this.#holding = true;
      at = this.#windowStart + burst.windowMs;
    }
    return Math.max(at, this.blockedUntil);
  }

  /** The unit to send now (call when nextStartAt ≤ now); counts it in the burst window. */
  take(now: number, burst: BurstLimits): SendUnit | undefined {
    if (this.digest) return { kind: "digest", ...this.digest, persisted: true };
    const head = this.messages[0];
    if (!head) return undefined;
    if (this.retry) return { kind: "single", members: [head] };
    if (now >= this.#windowStart + burst.windowMs) {
      const held = this.#holding;
      this.#holding = false;
      this.#windowStart = now;
      if (held && this.messages.length > 1) {
        // The window is spent by the digest: a burst still going on makes one digest per window.
        this.#sentInWindow = burst.limit;
        const members = this.messages.splice(0, burst.digestMax);
        return { kind: "digest", id: digestId(members.map((m) => m.key)), members, persisted: false };
      }
      this.#sentInWindow = 0;
    }
    this.#sentInWindow++;
    return { kind: "single", members: [head] };
  }
}
