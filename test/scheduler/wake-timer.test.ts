// Issue 17 (scheduler lag): Node counts a timer from the event loop's cached time, so after a long
// tick the loop's timer can fire before the due second; the tick it woke found nothing due and held
// the due tick back by a whole pass over every DAG (~44 ms at 10,000 DAGs).
import { describe, expect, it } from "vitest";
import { type TimerFunctions, WakeTimer } from "../../src/scheduler/wake-timer.ts";

/** Timers the test fires by hand, at any clock reading. */
function manualTimers() {
  const armed: Array<{ callback: () => void; delayMs: number; cleared: boolean }> = [];
  const timers: TimerFunctions = {
    set: (callback, delayMs) => {
      const entry = { callback, delayMs, cleared: false };
      armed.push(entry);
      return entry as unknown as NodeJS.Timeout;
    },
    clear: (timer) => {
      if (timer) (timer as unknown as { cleared: boolean }).cleared = true;
    },
  };
  const live = () => armed.filter((entry) => !entry.cleared);
  return { timers, armed, live };
}

describe("the loop's wake timer", () => {
  it("fired before its time, waits out the rest instead of waking the loop", () => {
    let clock = 1_000;
    let wakes = 0;
    const { timers, armed, live } = manualTimers();
    const timer = new WakeTimer(
      () => clock,
      () => wakes++,
      timers,
    );
    timer.at(6_000);
    expect(armed.map((entry) => entry.delayMs)).toEqual([5_000]);
    // Fired 40 ms early (the loop's cached time was 40 ms behind when it was set).
    clock = 5_960;
    live().at(-1)?.callback();
    expect(wakes, "woke the loop before its time").toBe(0);
    expect(live().at(-1)?.delayMs).toBe(40);
    clock = 6_000;
    live().at(-1)?.callback();
    expect(wakes).toBe(1);
  });

  it("wakes the loop when it fires at or after its time, or when the clock went back past what it was set for", () => {
    let clock = 0;
    let wakes = 0;
    const { timers, live } = manualTimers();
    const timer = new WakeTimer(
      () => clock,
      () => wakes++,
      timers,
    );
    timer.at(5_000);
    clock = 5_003;
    live().at(-1)?.callback();
    expect(wakes).toBe(1);
    // The clock went back an hour while it slept 5 s: it wakes the loop rather than sleep an hour.
    timer.at(clock + 5_000);
    clock -= 3_600_000;
    live().at(-1)?.callback();
    expect(wakes).toBe(2);
  });

  it("replaces the timer set before, and clears it", () => {
    const clock = 0;
    const { timers, live } = manualTimers();
    const timer = new WakeTimer(
      () => clock,
      () => undefined,
      timers,
    );
    timer.at(100);
    timer.at(50);
    expect(live().map((entry) => entry.delayMs)).toEqual([50]);
    timer.clear();
    expect(live()).toEqual([]);
  });
});
