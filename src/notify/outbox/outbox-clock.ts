/** Time for the outbox: injected so tests move it by hand instead of sleeping. */
export interface OutboxClock {
  now(): number;
  /** Calls `callback` after `ms`; the timer never keeps the process alive. */
  setTimer(callback: () => void, ms: number): { cancel(): void };
}

export function systemClock(now: () => Date = () => new Date()): OutboxClock {
  return {
    now: () => now().getTime(),
    setTimer(callback, ms) {
      const timer = setTimeout(callback, Math.max(0, ms));
      timer.unref();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}
