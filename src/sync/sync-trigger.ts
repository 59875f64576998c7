/**
 * Runs one sync at a time. A request during a sync queues at most one follow-up (however many
 * arrive), so a burst of webhooks costs two syncs, never concurrent ones. Between requests it
 * polls every `intervalMs` (±10% jitter); after failures it retries sooner, backing off from 1 s
 * and never waiting longer than the interval.
 */
export class SyncTrigger {
  readonly #sync: () => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #random: () => number;
  #running: Promise<void> | undefined;
  #followUp: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #stopped = true;
  #nextAt: Date | null = null;

  constructor(sync: () => Promise<boolean>, options: { intervalMs: number; random?: () => number }) {
    this.#sync = sync;
    this.#intervalMs = options.intervalMs;
    this.#random = options.random ?? Math.random;
  }

  /** When the next poll is due, or null while stopped or syncing. */
  get nextSyncAt(): Date | null {
    return this.#nextAt;
  }

  /** Syncs now, then keeps polling. */
  start(): Promise<void> {
    this.#stopped = false;
    return this.request();
  }

  /** Asks for a sync; resolves when a sync that started after this call has finished. */
  request(): Promise<void> {
    if (this.#running) {
      this.#followUp ??= this.#running.then(() => {
        this.#followUp = undefined;
        return this.#runNow();
      });
      return this.#followUp;
    }
    return this.#runNow();
  }

  /** Stops polling and waits for a sync under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#nextAt = null;
    await this.#followUp;
    await this.#running;
  }

  #runNow(): Promise<void> {
    clearTimeout(this.#timer);
    this.#nextAt = null;
    const run = (async () => {
      let ok = false;
      try {
        ok = await this.#sync();
      } catch {
        ok = false;
      }
      this.#failures = ok ? 0 : this.#failures + 1;
    })().finally(() => {
      if (this.#running === run) this.#running = undefined;
      if (!this.#followUp) this.#scheduleNext();
    });
    this.#running = run;
    return run;
  }

  #scheduleNext(): void {
    if (this.#stopped) return;
    const jittered = this.#intervalMs * (0.9 + 0.2 * this.#random());
    const delay = this.#failures === 0 ? jittered : Math.min(jittered, 1000 * 2 ** (this.#failures - 1));
    this.#nextAt = new Date(Date.now() + delay);
    this.#timer = setTimeout(() => void this.request(), delay);
    this.#timer.unref?.();
  }
}
