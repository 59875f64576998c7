import { DeliveryError } from "../notification.ts";

/** Waits between tries: then every hour until the message is a day old. */
export const RETRY_DELAYS_MS: readonly number[] = [10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000];
/** A `Retry-After` longer than this is not believed (a misconfigured receiver must not park a message for days). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export type FailureOutcome = { giveUp: true; reason: string } | { giveUp: false; nextAt: number };

/**
 * What to do after the `attempts`-th failed try (1 for the first) of a message first enqueued at
 * `enqueuedAt`: try again later (with ±10% jitter so a recovering receiver is not hit by all channels
 * at once, and never sooner than it asked), or give up (not retryable, or `maxAgeMs` old).
 */
export function afterFailure(options: {
  error: unknown;
  attempts: number;
  now: number;
  enqueuedAt: number;
  maxAgeMs: number;
  random: () => number;
}): FailureOutcome {
  const { error, attempts, now, enqueuedAt, maxAgeMs } = options;
  if (error instanceof DeliveryError && !error.retryable) return { giveUp: true, reason: "not retryable" };
  const deadline = enqueuedAt + maxAgeMs;
  if (now >= deadline)
    return { giveUp: true, reason: `still failing ${Math.round(maxAgeMs / 3_600_000)}h after it was queued` };
  const base = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] ?? 3_600_000;
  const jittered = base * (0.9 + 0.2 * options.random());
  const asked = error instanceof DeliveryError && error.retryAfterMs !== undefined ? error.retryAfterMs : 0;
  const delay = Math.max(jittered, Math.min(Math.max(asked, 0), MAX_RETRY_AFTER_MS));
  // One last try at the deadline rather than none past it.
  return { giveUp: false, nextAt: Math.min(now + Math.round(delay), deadline) };
}
