import type { OutboxClock } from "../../../../src/notify/outbox/outbox-clock.ts";

/** An outbox clock that moves only when the test says so; timers fire during `advance`. */
export class ManualClock implements OutboxClock {
  #now: number;
  readonly #timers: Array<{ at: number; callback: () => void; live: boolean }> = [];

  constructor(start = Date.parse("2026-12-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.#now + Math.max(0, ms), callback, live: true };
    this.#timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  /** When the earliest live timer fires, relative to now (undefined: none armed). */
  nextTimerIn(): number | undefined {
    const live = this.#timers.filter((t) => t.live).map((t) => t.at - this.#now);
    return live.length > 0 ? Math.min(...live) : undefined;
  }

  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = until;
    for (let i = this.#timers.length - 1; i >= 0; i--) if (!this.#timers[i]?.live) this.#timers.splice(i, 1);
  }
}
