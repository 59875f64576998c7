// Issue 16 point 3: failed sends are retried with growing delays for up to a day, Retry-After is
// honoured, and a message given up on is kept (without its URL) for the page.
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DeliveryError } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { type OutboxFixture, outboxFixture } from "./support/outbox-fixture.ts";
import { hook, notification } from "./support/notifications.ts";

const cleanup = useCleanup();
const HOUR = 3_600_000;

/** Waits for the `n`-th try, then moves the clock to the next timer; returns when each try happened. */
async function tryTimes(f: OutboxFixture, until: () => boolean): Promise<number[]> {
  const start = f.clock.now();
  const times: number[] = [];
  for (let n = 1; n < 100 && !until(); n++) {
    await waitFor(`try ${n}`, () =>
      f.sender.calls.length === n && f.events.length === n ? true : undefined,
    );
    times.push(f.clock.now() - start);
    const next = f.clock.nextTimerIn();
    if (next === undefined || until()) break;
    f.clock.advance(next);
  }
  return times;
}

describe("retries", () => {
  it("waits 10s, 30s, 1m, 5m, 15m, then every hour, and gives up 24h after the message was queued", async () => {
    const f = await outboxFixture(cleanup);
    f.sender.answer = async () => {
      throw new Error("connect ECONNREFUSED to https://hooks.example.com/services/T000/SECRET-a");
    };
    await f.outbox.start();
    await f.outbox.enqueue([hook("a")], notification(1));
    const times = await tryTimes(f, () => f.events.some((e) => e.type === "undeliverable"));
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.slice(0, 7)).toEqual([10_000, 30_000, 60_000, 300_000, 900_000, HOUR, HOUR]);
    expect(times.at(-1)).toBe(24 * HOUR);
    expect(f.events.at(-1)?.type).toBe("undeliverable");

    const [given] = f.outbox.undeliverable();
    expect(given).toMatchObject({
      id: notification(1).id,
      channel: "webhook hooks.example.com",
      event: "failure",
      count: 1,
      attempts: times.length,
      lastError: "connect ECONNREFUSED to <url>",
    });
    expect(f.outbox.pendingCount()).toBe(0);
    expect((await readdir(f.dir)).filter((name) => name.startsWith("m-"))).toEqual([]);
    const logged = f.lines.filter((line) => line.includes("undeliverable"));
    expect(logged).toHaveLength(1);
    expect(f.lines.join("\n")).not.toContain("SECRET");
    expect(JSON.stringify(f.outbox.undeliverable())).not.toContain("SECRET");

    await f.outbox.stop();
    const again = f.reopen();
    await again.start();
    expect(again.undeliverable()).toEqual(f.outbox.undeliverable());
  });

  it("waits as long as Retry-After asks, up to an hour", async () => {
    const f = await outboxFixture(cleanup);
    const asks = [20 * 60_000, 5 * HOUR];
    f.sender.answer = async () => {
      const ask = asks.shift();
      if (ask !== undefined) throw new DeliveryError("HTTP 429", true, ask);
    };
    await f.outbox.start();
    await f.outbox.enqueue([hook("a")], notification(1));
    const times = await tryTimes(f, () => f.events.some((e) => e.type === "delivered"));
    expect(times).toEqual([0, 20 * 60_000, 20 * 60_000 + HOUR]);
  });

  it("gives up at once on a send that cannot succeed, keeping no URL in the error", async () => {
    const f = await outboxFixture(cleanup);
    f.sender.answer = async () => {
      throw new DeliveryError("HTTP 404 from https://hooks.example.com/services/T000/SECRET-a", false);
    };
    await f.outbox.start();
    await f.outbox.enqueue([hook("a")], notification(1));
    await waitFor("given up", () => (f.outbox.undeliverable().length === 1 ? true : undefined));
    expect(f.sender.calls).toHaveLength(1);
    expect(f.outbox.undeliverable()[0]).toMatchObject({
      attempts: 1,
      lastError: "DeliveryError: HTTP 404 from <url>",
    });
    expect(f.clock.nextTimerIn()).toBeUndefined();
  });

  it("keeps only the newest undeliverable messages (keepUndeliverable, 200 by default)", async () => {
    const f = await outboxFixture(cleanup, { burstLimit: 1000, keepUndeliverable: 3 });
    f.sender.answer = async () => {
      throw new DeliveryError("HTTP 400", false);
    };
    await f.outbox.start();
    for (let n = 1; n <= 5; n++) await f.outbox.enqueue([hook("a")], notification(n));
    await waitFor("all given up", () => (f.events.length === 5 ? true : undefined));
    expect(f.outbox.undeliverable().map((u) => u.id)).toEqual([5, 4, 3].map((n) => notification(n).id));
  });
});
