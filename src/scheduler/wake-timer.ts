/** setTimeout and clearTimeout, injectable (a test fires a timer early, as Node can). */
export interface TimerFunctions {
  set(callback: () => void, delayMs: number): NodeJS.Timeout;
  clear(timer: NodeJS.Timeout | undefined): void;
}

/** The longest delay Node's setTimeout holds: a longer one fires after 1 ms (TimeoutOverflowWarning). */
const TIMEOUT_MAX = 2 ** 31 - 1;

const nodeTimers: TimerFunctions = {
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (timer) => clearTimeout(timer),
};

/**
 * The loop's one timer (unref'd). Node counts a timer's delay from the event loop's cached time,
 * which is behind the clock by however long the code that set it ran (a tick over 10,000 DAGs):
 * such a timer fires early. Woken before its time, it waits out the rest instead of waking the
 * loop, whose tick would find nothing due and hold the due tick back by a pass over every DAG.
 */
export class WakeTimer {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly now: () => number,
    private readonly wake: () => void,
    private readonly timers: TimerFunctions = nodeTimers,
  ) {}

  /** Wakes the loop at `wakeAt` (epoch ms by `now`), replacing the timer set before. */
  at(wakeAt: number): void {
    this.#arm(wakeAt, Math.max(0, wakeAt - this.now()));
  }

  clear(): void {
    this.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #arm(wakeAt: number, delayMs: number): void {
    this.clear();
    // Further than Node holds: a timer at its limit, then the rest (not one that fires at 1 ms).
    const setMs = Math.min(delayMs, TIMEOUT_MAX);
    this.#timer = this.timers.set(() => {
      const rest = wakeAt - this.now();
      // Early by less than it was set for: the rest. More than that (the clock went back): now, so
      // the loop never sleeps more than twice what it asked (maxSleepMs).
      if (rest > 0 && rest < delayMs) this.#arm(wakeAt, rest);
      else this.wake();
    }, setMs);
    this.#timer.unref?.();
  }
}
