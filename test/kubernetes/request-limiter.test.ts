// Issue 14 point 7: the limiter in front of every request, on a clock the test moves by hand.
import { describe, expect, it } from "vitest";
import { RequestLimiter } from "../../src/kubernetes/request-limiter.ts";
import { FakeClock } from "../leader/fakes.ts";

/** Starts `count` takes and records the clock's time as each is let through. */
function takes(limiter: RequestLimiter, clock: FakeClock, count: number, urgent = false) {
  const start = clock.now();
  const at: number[] = [];
  const all = Array.from({ length: count }, () =>
    limiter.take(urgent ? { lane: "lease" } : {}).then(() => at.push(clock.now() - start)),
  );
  return { at, all: Promise.all(all) };
}

describe("RequestLimiter", () => {
  it("lets the burst through at once, then one request per 1000 / qps ms, in order", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 3 }, clock);
    const { at, all } = takes(limiter, clock, 6);
    await clock.advance(0);
    expect(at).toEqual([0, 0, 0]);
    expect(limiter.waiting).toBe(3);
    await clock.advance(300);
    await all;
    expect(at).toEqual([0, 0, 0, 100, 200, 300]);
    expect(limiter.waiting).toBe(0);
  });

  it("lets an urgent request (the Lease) go before every waiting one, within the same budget", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 1 }, clock);
    const order: string[] = [];
    const waits = ["a", "b", "c"].map((name) => limiter.take().then(() => order.push(name)));
    await clock.advance(50);
    const lease = limiter.take({ lane: "lease" }).then(() => order.push("lease"));
    await clock.advance(250);
    await Promise.all([...waits, lease]);
    expect(order).toEqual(["a", "lease", "b", "c"]);
  });

  it("a request after a quiet spell goes at once; one behind a queue waits its turn", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 5, burst: 1 }, clock);
    const first = takes(limiter, clock, 2);
    await clock.advance(200);
    await first.all;
    expect(first.at).toEqual([0, 200]);
    await clock.advance(10_000);
    const later = takes(limiter, clock, 1);
    await clock.advance(0);
    await later.all;
    expect(later.at).toEqual([0]);
  });

  it("lets creates (lane start) go before logs and deletes that waited longer, and the Lease before both", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 1 }, clock);
    const order: string[] = [];
    const take = (name: string, lane?: "lease" | "start" | "other") =>
      limiter.take(lane ? { lane } : {}).then(() => order.push(name));
    const all = [take("delete 1"), take("log 1", "other"), take("delete 2"), take("create 1", "start")];
    all.push(take("create 2", "start"), take("lease", "lease"), take("create 3", "start"));
    await clock.advance(1000);
    await Promise.all(all);
    // "delete 1" took the one token at once; the rest waited and went lane by lane, in order within one.
    expect(order).toEqual(["delete 1", "lease", "create 1", "create 2", "create 3", "log 1", "delete 2"]);
  });

  it("a request whose signal aborts while it waits leaves without a token: the next one goes at its time", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 1 }, clock);
    const start = clock.now();
    const at = new Map<string, number | string>();
    const follow = new AbortController();
    await limiter.take();
    const followed = limiter.take({ signal: follow.signal }).then(
      () => at.set("follow", clock.now() - start),
      (error: Error) => at.set("follow", error.message),
    );
    const read = limiter.take().then(() => at.set("read", clock.now() - start));
    await clock.advance(50);
    follow.abort(new Error("the try ended"));
    await clock.advance(200);
    await Promise.all([followed, read]);
    expect(at.get("follow")).toBe("the try ended");
    // The token at 100 ms goes to the read, as if the follow had never asked.
    expect(at.get("read")).toBe(100);
    expect(limiter.waiting).toBe(0);
    const late = new AbortController();
    late.abort(new Error("already"));
    await expect(limiter.take({ signal: late.signal })).rejects.toThrow("already");
  });
});
