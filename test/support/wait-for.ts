import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  timeoutMs?: number;
  everyMs?: number;
  /** What to print when the wait times out (the state last seen, say). */
  details?: () => unknown;
}

/**
 * Polls `probe` until it returns something other than undefined, and returns that. A bounded wait
 * for a condition, never a sleep standing in for an assertion: on timeout it throws, naming `what`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen = options.details ? `\nlast seen: ${JSON.stringify(await options.details(), null, 2)}` : "";
      const failed = lastError ? `\nlast error: ${String(lastError)}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${failed}${seen}`);
    }
    await sleep(everyMs);
  }
}
