/** `--kube-qps` and `--kube-burst`: client-go's QPS and Burst. */
export interface RequestRate {
  /** Tokens added per second: the sustained request rate. */
  qps: number;
  /** Most tokens held: the requests that may go at once after a quiet spell. */
  burst: number;
}

/** Below one token by less than this is a whole token: float sums of qps × ms are not exact. */
const EPSILON = 1e-9;

/**
 * client-go's token bucket (golang.org/x/time/rate), time given as an argument: it starts full,
 * gains `qps` tokens a second up to `burst`, and each request takes one. Pure state, no timers.
 */
export class TokenBucket {
  #tokens: number;
  #atMs: number;

  constructor(
    private readonly rate: RequestRate,
    nowMs: number,
  ) {
    this.#tokens = rate.burst;
    this.#atMs = nowMs;
  }

  /** Takes a token if there is a whole one at `nowMs`. */
  tryTake(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1 - EPSILON) return false;
    this.#tokens = Math.max(0, this.#tokens - 1);
    return true;
  }

  /** Milliseconds from `nowMs` until there is a whole token (0 when there is one now). */
  waitMs(nowMs: number): number {
    this.#refill(nowMs);
    const missing = 1 - EPSILON - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate.qps);
  }

  #refill(nowMs: number): void {
    // A clock that went back adds nothing, and takes nothing away either.
    if (nowMs > this.#atMs)
      this.#tokens = Math.min(this.rate.burst, this.#tokens + ((nowMs - this.#atMs) * this.rate.qps) / 1000);
    this.#atMs = nowMs;
  }
}
