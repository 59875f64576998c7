/** A listener of one event; what it throws is reported to the bus's `onListenerError`, never to the emitter. */
export type Listener<T> = (payload: T) => void;

/**
 * A typed, synchronous event bus: `emit` calls every listener of that event in subscription order.
 * A listener that throws does not stop the others nor the emitter (a broken metrics or log
 * subscriber must never break scheduling).
 */
export class EventBus<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: keyof Events) => void;

  constructor(onListenerError: (error: unknown, event: keyof Events) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const stored = listener as Listener<never>;
    set.add(stored);
    return () => set.delete(stored);
  }

  /** Resolves with the first payload of `event` that `matches` (tests wait on this instead of polling). */
  next<K extends keyof Events>(
    event: K,
    matches: (payload: Events[K]) => boolean = () => true,
  ): Promise<Events[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (payload) => {
        if (!matches(payload)) return;
        off();
        resolve(payload);
      });
    });
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
