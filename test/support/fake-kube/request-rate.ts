/** Request rates as the API server saw them: what API Priority and Fairness would have to absorb. */

/** The most requests with arrival times in any window `(t - windowMs, t]`: the peak over a sliding window. */
export function peakInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    const end = sorted[last] ?? 0;
    while ((sorted[first] ?? end) <= end - windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

export interface RequestRates {
  /** Peak requests per sliding 1 s window, all verbs together. */
  peak: number;
  /** The same per verb (`create`, `list`, `watch`, …), each over its own busiest window. */
  byVerb: Map<string, number>;
}

/** Peak requests per second overall and per verb, over a sliding 1 s window. */
export function requestRates(entries: ReadonlyArray<{ at: number; verb: string }>): RequestRates {
  const byVerb = new Map<string, number[]>();
  for (const entry of entries) {
    const times = byVerb.get(entry.verb) ?? [];
    times.push(entry.at);
    byVerb.set(entry.verb, times);
  }
  return {
    peak: peakInWindow(entries.map((entry) => entry.at)),
    byVerb: new Map([...byVerb].map(([verb, times]) => [verb, peakInWindow(times)])),
  };
}
