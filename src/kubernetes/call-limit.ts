/**
 * At most `limit` calls in flight, the rest waiting in order: a second at which hundreds of tasks
 * are due sends their creates in a steady stream instead of one burst at the API server.
 */
export class CallLimit {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.#active < this.limit) this.#active++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await call();
    } finally {
      // Hand the slot straight to the next caller, or give it back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
