/**
 * Remembers the results of a pure function of a string, up to `capacity` of them (the oldest goes
 * first): validating 10,000 DAGs parses the same few dates, zones and schedules over and over, and
 * the strings come from users, so the memory must not grow with them.
 */
export class BoundedMemo<T> {
  readonly #results = new Map<string, T>();

  constructor(
    private readonly compute: (key: string) => T,
    private readonly capacity: number,
  ) {}

  get(key: string): T {
    if (this.#results.has(key)) return this.#results.get(key) as T;
    const result = this.compute(key);
    this.#results.set(key, result);
    if (this.#results.size > this.capacity) this.#results.delete(this.#results.keys().next().value as string);
    return result;
  }

  get size(): number {
    return this.#results.size;
  }
}
