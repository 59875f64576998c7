import type { Clock } from "../leader/clock.ts";
import { type RequestRate, TokenBucket } from "./token-bucket.ts";

/**
 * One token bucket for every request the daemon sends to the API server (creates, deletes, lists,
 * log and watch openings, Lease calls), as one client-go rest client shares its rate limiter.
 * Requests wait in order; `urgent` ones (the Lease) go before every waiting request, so that a
 * burst of due tasks cannot hold the leader's renewal past its deadline.
 */
export class RequestLimiter {
  readonly #bucket: TokenBucket;
  readonly #urgent: Array<() => void> = [];
  readonly #waiting: Array<() => void> = [];
  #cancelTimer: (() => void) | undefined;

  constructor(
    rate: RequestRate,
    private readonly clock: Clock,
  ) {
    this.#bucket = new TokenBucket(rate, clock.now());
  }

  /** Resolves when the request may be sent. */
  take(options: { urgent?: boolean } = {}): Promise<void> {
    const queued = this.#urgent.length + this.#waiting.length > 0;
    if (!queued && this.#bucket.tryTake(this.clock.now())) return Promise.resolve();
    return new Promise<void>((resolve) => {
      (options.urgent ? this.#urgent : this.#waiting).push(resolve);
      this.#release();
    });
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.#urgent.length + this.#waiting.length;
  }

  /** Lets waiting requests go while there are tokens; sets one timer for the next token. */
  #release(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    while (this.waiting > 0 && this.#bucket.tryTake(this.clock.now()))
      (this.#urgent.shift() ?? this.#waiting.shift())?.();
    if (this.waiting === 0) return;
    this.#cancelTimer = this.clock.after(this.#bucket.waitMs(this.clock.now()), () => this.#release());
  }
}
