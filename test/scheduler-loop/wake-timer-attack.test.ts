// Issue 17 attack on the loop's wake timer (src/scheduler/wake-timer.ts), which re-arms itself when
// Node fires it early. Node cannot hold a delay over 2^31-1 ms (~24.8 days): it fires such a
// timer after 1 ms. Taken for "early", that re-armed every millisecond with the same delay, a busy
// loop of timers (and a TimeoutOverflowWarning each time) for as long as the wake was away. Also:
// stopped (cleared) while a re-armed timer is pending, it never wakes the loop.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type TimerFunctions, WakeTimer } from "../../src/scheduler/wake-timer.ts";

/** The largest delay Node's setTimeout holds. */
const TIMEOUT_MAX = 2 ** 31 - 1;

/** Node's own timers, counted. */
function countedTimers() {
  const delays: number[] = [];
  const timers: TimerFunctions = {
    set: (callback, delayMs) => {
      delays.push(delayMs);
      return setTimeout(callback, delayMs);
    },
    clear: (timer) => clearTimeout(timer),
  };
  return { timers, delays };
}

const turns = (count: number) =>
  new Promise<void>((resolve) => {
    let left = count;
    const next = () => (--left <= 0 ? resolve() : setTimeout(next, 1));
    setTimeout(next, 1);
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the loop's wake timer, attacked", () => {
  it("a wake further away than Node's timers hold arms one timer, not one a millisecond", async () => {
    const warnings: string[] = [];
    vi.spyOn(process, "emitWarning").mockImplementation((warning) => {
      warnings.push(String(warning));
    });
    const { timers, delays } = countedTimers();
    let wakes = 0;
    const timer = new WakeTimer(
      () => Date.now(),
      () => wakes++,
      timers,
    );
    timer.at(Date.now() + 3 * TIMEOUT_MAX);
    // Several turns of the event loop with timers in them (a 1 ms timer fires in each).
    await turns(10);
    timer.clear();
    expect(wakes).toBe(0);
    expect(delays, "timers armed").toHaveLength(1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(TIMEOUT_MAX);
    expect(warnings.filter((warning) => warning.includes("does not fit"))).toEqual([]);
  });

  it("cleared while a re-armed timer is pending (the scheduler stopped), it never wakes the loop", async () => {
    let clock = Date.now();
    let wakes = 0;
    const { timers, delays } = countedTimers();
    let rearmed: () => void = () => undefined;
    const rearms = new Promise<void>((resolve) => (rearmed = resolve));
    const timer = new WakeTimer(
      () => clock,
      () => wakes++,
      {
        set: (callback, delayMs) => {
          const set = timers.set(callback, delayMs);
          if (delays.length === 2) rearmed();
          return set;
        },
        clear: timers.clear,
      },
    );
    timer.at(clock + 20);
    // Fired early: the clock says 5 ms are left.
    clock += 15;
    await rearms;
    expect(delays).toEqual([20, 5]);
    timer.clear();
    clock += 10_000;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(wakes).toBe(0);
  });
});
