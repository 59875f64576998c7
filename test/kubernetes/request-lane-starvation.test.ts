// Issue 17 attack on the request lanes: creates that keep coming faster than --kube-qps must not hold
// a delete of a finished Pod or a log read back for ever (Pods would pile up in the cluster and logs
// never be stored). What a user expects: creates first during a burst, but nothing waits past a
// bound; the Lease still goes before everything.
import { describe, expect, it } from "vitest";
import { OTHER_LANE_MAX_WAIT_MS, RequestLimiter } from "../../src/kubernetes/request-limiter.ts";
import { FakeClock } from "../leader/fakes.ts";

describe("RequestLimiter under creates that never stop", () => {
  it("lets a delete through within its bound, though creates arrive faster than the budget the whole time", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 1 }, clock);
    const start = clock.now();
    await limiter.take();
    let deletedAt: number | undefined;
    void limiter.take({ lane: "other" }).then(() => (deletedAt = clock.now() - start));
    const creates: Array<Promise<void>> = [];
    // 20 creates a second against 10 tokens a second, for five minutes.
    for (let ms = 0; ms < 300_000 && deletedAt === undefined; ms += 50) {
      creates.push(limiter.take({ lane: "start" }));
      await clock.advance(50);
    }
    expect(deletedAt).toBeDefined();
    // Within the bound plus one token's interval.
    expect(deletedAt).toBeLessThanOrEqual(OTHER_LANE_MAX_WAIT_MS + 100);
    // And not before: during a burst shorter than the bound, creates keep going first.
    expect(deletedAt).toBeGreaterThanOrEqual(OTHER_LANE_MAX_WAIT_MS);
    expect(limiter.waiting).toBeGreaterThan(0);
  });

  it("a Lease renewal still goes before a request that waited past the bound", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 1, burst: 1 }, clock);
    await limiter.take();
    const order: string[] = [];
    const creates = Array.from({ length: 200 }, (_, i) =>
      limiter.take({ lane: "start" }).then(() => order.push(`create ${i}`)),
    );
    const deleted = limiter.take({ lane: "other" }).then(() => order.push("delete"));
    await clock.advance(OTHER_LANE_MAX_WAIT_MS - 500);
    const lease = limiter.take({ lane: "lease" }).then(() => order.push("lease"));
    await clock.advance(2_000);
    await Promise.all([deleted, lease]);
    expect(order.slice(-2)).toEqual(["lease", "delete"]);
    expect(creates).toHaveLength(200);
  });
});

describe("RequestLimiter abort after the grant", () => {
  it("an abort after its token was granted changes nothing: the count stays right and the next waiter keeps its turn", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 1 }, clock);
    await limiter.take();
    const first = new AbortController();
    const granted = limiter.take({ lane: "other", signal: first.signal });
    let nextAt: number | undefined;
    const start = clock.now();
    void limiter.take({ lane: "other" }).then(() => (nextAt = clock.now() - start));
    await clock.advance(100);
    await granted;
    first.abort(new Error("too late"));
    expect(limiter.waiting).toBe(1);
    await clock.advance(100);
    expect(nextAt).toBe(200);
    expect(limiter.waiting).toBe(0);
  });
});
