import type { Clock } from "../leader/clock.ts";
import { type RequestRate, TokenBucket } from "./token-bucket.ts";

/**
 * Which requests go first when several wait for a token: `lease` (the leader's renewal), then
 * `start` (Pod creates and the shared list+watch: what starts tries and hears how they end), then
 * `other` (log reads and follows, deletes of finished Pods, events, the orphan sweep).
 */
export type RequestLane = "lease" | "start" | "other";

const LANES: readonly RequestLane[] = ["lease", "start", "other"];

/**
 * A log read or delete that waited this long goes before creates (never before the Lease): creates
 * that keep coming faster than the budget would otherwise hold it back for ever, and finished Pods
 * would pile up unread and undeleted. Longer than the burst the lanes are for (2,000 creates at
 * `--kube-qps 50` take 40 s).
 */
export const OTHER_LANE_MAX_WAIT_MS = 60_000;

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  /** When it started waiting (the clock's ms). */
  since: number;
}

/**
 * One token bucket for every request the daemon sends to the API server (creates, deletes, lists,
 * log and watch openings, Lease calls), as one client-go rest client shares its rate limiter.
 * Requests wait in order within their lane, and a lane goes only when the lanes before it are
 * empty: a burst of due tasks cannot hold the leader's renewal past its deadline, and the logs and
 * deletes of tasks that already ended cannot hold back the creates of tasks that are due (at
 * `--kube-qps 50`, 2,000 due tasks are created in 40 s, not in the 160 s of every request in
 * arrival order); an `other` request that waited OTHER_LANE_MAX_WAIT_MS goes before creates. A
 * request whose `signal` aborts while it waits leaves the queue without a token.
 */
export class RequestLimiter {
  readonly #bucket: TokenBucket;
  readonly #lanes = new Map<RequestLane, Waiter[]>(LANES.map((lane) => [lane, []]));
  #waiting = 0;
  #cancelTimer: (() => void) | undefined;

  constructor(
    rate: RequestRate,
    private readonly clock: Clock,
  ) {
    this.#bucket = new TokenBucket(rate, clock.now());
  }

  /** Resolves when the request may be sent; rejects with the signal's reason if it aborts first. */
  take(options: { lane?: RequestLane; signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiting === 0 && this.#bucket.tryTake(this.clock.now())) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const queue = this.#lanes.get(options.lane ?? "other") ?? [];
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = queue.indexOf(waiter);
          if (at < 0) return;
          queue.splice(at, 1);
          this.#waiting--;
          reject(signal?.reason);
          this.#release();
        },
        since: this.clock.now(),
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      queue.push(waiter);
      this.#waiting++;
      this.#release();
    });
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Lets waiting requests go while there are tokens; sets one timer for the next token. */
  #release(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    while (this.#waiting > 0 && this.#bucket.tryTake(this.clock.now())) {
      const waiter = this.#next();
      waiter?.signal?.removeEventListener("abort", waiter.onAbort);
      waiter?.resolve();
    }
    if (this.#waiting === 0) return;
    this.#cancelTimer = this.clock.after(this.#bucket.waitMs(this.clock.now()), () => this.#release());
  }

  #next(): Waiter | undefined {
    const lease = this.#lanes.get("lease") ?? [];
    const other = this.#lanes.get("other") ?? [];
    const head = other[0];
    const aged =
      lease.length === 0 && head !== undefined && this.clock.now() - head.since >= OTHER_LANE_MAX_WAIT_MS;
    for (const queue of aged ? [other] : this.#lanes.values()) {
      const waiter = queue.shift();
      if (waiter) {
        this.#waiting--;
        return waiter;
      }
    }
    return undefined;
  }
}
