/** Time for the leader elector: read the local clock, and wait. A port so tests drive time by hand. */
export interface Clock {
  /** Milliseconds since the epoch, by the local clock. */
  now(): number;
  /** Calls `callback` after `ms`; returns a function that cancels it. */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};
