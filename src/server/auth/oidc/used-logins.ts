/** Most transactions remembered at once; past it the oldest is forgotten (its code is spent at the provider anyway). */
const MAX_REMEMBERED = 10_000;

/**
 * The login transactions a callback has already seen, until they expire: a callback URL and its
 * transaction cookie work once. Bounded in memory whatever the traffic.
 */
export class UsedLogins {
  // Insertion order is expiry order: every transaction lives the same time.
  readonly #expiry = new Map<string, number>();
  readonly #max: number;

  constructor(max = MAX_REMEMBERED) {
    this.#max = max;
  }

  /** Marks `id` used; false when it already was. */
  use(id: string, expiresAt: number, now: number): boolean {
    this.#forgetExpired(now);
    if (this.#expiry.has(id)) return false;
    if (this.#expiry.size >= this.#max) {
      const oldest = this.#expiry.keys().next().value;
      if (oldest !== undefined) this.#expiry.delete(oldest);
    }
    this.#expiry.set(id, expiresAt);
    return true;
  }

  get size(): number {
    return this.#expiry.size;
  }

  #forgetExpired(now: number): void {
    for (const [id, expiresAt] of this.#expiry) {
      if (expiresAt > now) return;
      this.#expiry.delete(id);
    }
  }
}
