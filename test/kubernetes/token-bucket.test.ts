// Issue 14 point 7: client-go's token bucket, time given as data.
import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/kubernetes/token-bucket.ts";

type Step = [atMs: number, op: "take" | "wait", expected: boolean | number];

/** Each row: a bucket (qps, burst) created at t = 0, then steps at absolute times. */
const TABLE: Array<[string, { qps: number; burst: number }, Step[]]> = [
  [
    "starts full: burst tokens at once, then none",
    { qps: 20, burst: 3 },
    [
      [0, "take", true],
      [0, "take", true],
      [0, "take", true],
      [0, "take", false],
      [0, "wait", 50],
    ],
  ],
  [
    "refills at qps: one token per 1000 / qps ms",
    { qps: 20, burst: 1 },
    [
      [0, "take", true],
      [49, "take", false],
      [49, "wait", 1],
      [50, "take", true],
      [100, "take", true],
      [120, "wait", 30],
    ],
  ],
  [
    "never holds more than burst, however long it was idle",
    { qps: 10, burst: 2 },
    [
      [60_000, "take", true],
      [60_000, "take", true],
      [60_000, "take", false],
      [60_000, "wait", 100],
    ],
  ],
  [
    "a fraction of a qps: one token every 2 s",
    { qps: 0.5, burst: 1 },
    [
      [0, "take", true],
      [1999, "take", false],
      [2000, "take", true],
    ],
  ],
  [
    "counts fractions of a token: at qps 30 the next one is there after 33.4 ms, not 33",
    { qps: 30, burst: 1 },
    [
      [0, "take", true],
      [33, "take", false],
      [33, "wait", 1],
      [34, "take", true],
    ],
  ],
  [
    "a clock that goes back adds no token and takes none away",
    { qps: 10, burst: 2 },
    [
      [1000, "take", true],
      [500, "take", true],
      [500, "take", false],
      [550, "wait", 50],
      [600, "take", true],
    ],
  ],
  [
    "burst 40, qps 50: 90 requests in the first second, 50 in every later one",
    { qps: 50, burst: 40 },
    [
      [0, "wait", 0],
      ...Array.from({ length: 40 }, (): Step => [0, "take", true]),
      [0, "take", false],
      ...Array.from({ length: 50 }, (_, i): Step => [(i + 1) * 20, "take", true]),
      [1000, "take", false],
      [1019, "take", false],
      [1020, "take", true],
    ],
  ],
];

describe("TokenBucket", () => {
  it.each(TABLE)("%s", (_what, rate, steps) => {
    const bucket = new TokenBucket(rate, 0);
    const seen = steps.map(([at, op]) => (op === "take" ? bucket.tryTake(at) : bucket.waitMs(at)));
    expect(seen).toEqual(steps.map(([, , expected]) => expected));
  });
});
