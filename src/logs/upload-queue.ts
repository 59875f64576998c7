/** How an upload attempt ended (`updraft_log_uploads_total{result}`). */
export type UploadResult = "success" | "error";

export interface UploadQueueOptions {
  /** Uploads at once. */
  concurrency: number;
  /** Delay before the first retry; doubled after each failure, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  onAttempt(result: UploadResult, id: string, error?: unknown): void;
}

interface Entry {
  id: string;
  run: () => Promise<boolean>;
  failures: number;
}

/**
 * Uploads one at a time per slot, each job at most once in the queue (by id); a failed job waits
 * (doubling backoff) without holding a slot and is retried until it succeeds or the queue stops.
 */
export class UploadQueue {
  readonly #ready: Entry[] = [];
  readonly #known = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(private readonly options: UploadQueueOptions) {}

  /** Jobs waiting, waiting to retry, or under way (`updraft_log_upload_pending`). */
  get pending(): number {
    return this.#known.size;
  }

  /** Adds a job unless one with this id is already queued or under way; it resolves false when it had nothing to do. */
  add(id: string, run: () => Promise<boolean>): void {
    if (this.#stopped || this.#known.has(id)) return;
    this.#known.add(id);
    this.#ready.push({ id, run, failures: 0 });
    this.#pump();
  }

  /** Starts no more jobs, drops the waiting ones (a restart finds them again) and waits for those under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#ready.length = 0;
    await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.options.concurrency) {
      const entry = this.#ready.shift();
      if (!entry) return;
      const running = this.#attempt(entry).finally(() => {
        this.#running.delete(running);
        this.#pump();
      });
      this.#running.add(running);
    }
  }

  async #attempt(entry: Entry): Promise<void> {
    try {
      const uploaded = await entry.run();
      this.#known.delete(entry.id);
      if (uploaded) this.options.onAttempt("success", entry.id);
    } catch (error) {
      this.options.onAttempt("error", entry.id, error);
      if (this.#stopped) return;
      const delay = Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** entry.failures);
      entry.failures++;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#ready.push(entry);
        this.#pump();
      }, delay);
      timer.unref();
      this.#timers.add(timer);
    }
  }
}
