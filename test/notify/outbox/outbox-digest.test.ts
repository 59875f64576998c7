// Issue 16 point 3: a burst to one channel becomes a few single messages and one digest, whose id and
// members survive a restart.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DeliveryError } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { outboxFixture } from "./support/outbox-fixture.ts";
import { hook, notification } from "./support/notifications.ts";

const cleanup = useCleanup();
const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => notification(from + i).id);
const delivered = (events: Array<{ type: string }>) => events.filter((e) => e.type === "delivered").length;

describe("bursts", () => {
  it("turns 200 failures in a minute into 3 single messages and one digest, oldest first", async () => {
    const f = await outboxFixture(cleanup);
    await f.outbox.start();
    for (let n = 1; n <= 200; n++) await f.outbox.enqueue([hook("a")], notification(n));
    await f.outbox.enqueue([hook("b")], notification(1));
    // Three singles to a, one to b; then a waits for its window to end.
    await waitFor("the singles", () =>
      delivered(f.events) === 4 && f.clock.nextTimerIn() === 60_000 ? true : undefined,
    );
    expect(f.sender.sentTo("SECRET-a")).toEqual([ids(1, 1), ids(2, 2), ids(3, 3)]);
    expect(f.outbox.pendingCount()).toBe(197);

    f.clock.advance(60_000);
    await waitFor("the digest", () => (delivered(f.events) === 5 ? true : undefined));
    const digest = f.sender.calls.at(-1);
    expect(digest?.id).toMatch(/^digest-[0-9a-f]{32}$/);
    expect(digest?.notifications.map((n) => n.id)).toEqual(ids(4, 200));
    expect(f.sender.calls).toHaveLength(5);
    expect(f.outbox.pendingCount()).toBe(0);
    expect((await readdir(f.dir)).filter((name) => /^[md]-/.test(name))).toEqual([]);
  });

  it("counts single sends per window also when the channel's queue ran empty in between", async () => {
    const f = await outboxFixture(cleanup);
    await f.outbox.start();
    for (let n = 1; n <= 3; n++) {
      await f.outbox.enqueue([hook("a")], notification(n));
      await waitFor(`message ${n} delivered`, () => (delivered(f.events) === n ? true : undefined));
    }
    await f.outbox.enqueue([hook("a")], notification(4));
    await f.outbox.enqueue([hook("a")], notification(5));
    await waitFor("the rest held", () => (f.clock.nextTimerIn() === 60_000 ? true : undefined));
    expect(f.sender.calls).toHaveLength(3);
    f.clock.advance(60_000);
    await waitFor("the digest", () => (delivered(f.events) === 4 ? true : undefined));
    expect(f.sender.sentTo("SECRET-a").at(-1)).toEqual(ids(4, 5));
  });

  it("shows a digest given up on as one undeliverable entry with its count", async () => {
    const f = await outboxFixture(cleanup, { burstLimit: 1 });
    f.sender.answer = async (delivery) => {
      if (delivery.notifications.length > 1) throw new DeliveryError("HTTP 413", false);
    };
    await f.outbox.start();
    for (let n = 1; n <= 5; n++) await f.outbox.enqueue([hook("a")], notification(n));
    await waitFor("the single", () =>
      delivered(f.events) === 1 && f.clock.nextTimerIn() === 60_000 ? true : undefined,
    );
    f.clock.advance(60_000);
    await waitFor("the digest given up", () => (f.outbox.undeliverable().length === 1 ? true : undefined));
    expect(f.outbox.undeliverable()[0]).toMatchObject({
      id: f.sender.calls[1]?.id,
      channel: "webhook hooks.example.com",
      event: "digest",
      title: "4 notifications",
      count: 4,
      attempts: 1,
    });
    expect(f.outbox.pendingCount()).toBe(0);
    expect((await readdir(f.dir)).filter((name) => /^[md]-/.test(name))).toEqual([]);
  });

  it("caps a digest at digestMax notifications and sends the rest in the next one", async () => {
    const f = await outboxFixture(cleanup, { digestMax: 50 });
    await f.outbox.start();
    for (let n = 1; n <= 120; n++) await f.outbox.enqueue([hook("a")], notification(n));
    await waitFor("the singles", () =>
      delivered(f.events) === 3 && f.clock.nextTimerIn() === 60_000 ? true : undefined,
    );
    f.clock.advance(60_000);
    await waitFor("a digest", () =>
      delivered(f.events) === 4 && f.clock.nextTimerIn() === 60_000 ? true : undefined,
    );
    f.clock.advance(60_000);
    await waitFor("a second digest", () =>
      delivered(f.events) === 5 && f.clock.nextTimerIn() === 60_000 ? true : undefined,
    );
    f.clock.advance(60_000);
    await waitFor("a third digest", () => (delivered(f.events) === 6 ? true : undefined));
    expect(f.sender.sentTo("SECRET-a").map((members) => members.length)).toEqual([1, 1, 1, 50, 50, 17]);
    expect(f.sender.sentTo("SECRET-a").flat()).toEqual(ids(1, 120));
  });

  it("sends the same digest id with the same members after a restart, and never again once acknowledged", async () => {
    const f = await outboxFixture(cleanup);
    await f.outbox.start();
    for (let n = 1; n <= 10; n++) await f.outbox.enqueue([hook("a")], notification(n));
    await waitFor("the singles", () =>
      delivered(f.events) === 3 && f.clock.nextTimerIn() === 60_000 ? true : undefined,
    );
    f.sender.answer = () => new Promise<void>(() => undefined);
    f.clock.advance(60_000);
    await waitFor("the digest under way", () => (f.sender.calls.length === 4 ? true : undefined));
    const first = f.sender.calls[3];
    const digestFiles = (await readdir(f.dir)).filter((name) => name.startsWith("d-"));
    expect(digestFiles).toEqual([`d-${first?.id}.json`]);
    expect(JSON.parse(await readFile(path.join(f.dir, digestFiles[0] ?? ""), "utf8")).members).toHaveLength(
      7,
    );
    await f.outbox.stop();

    // More arrived meanwhile: they are not folded into the digest already named.
    const second = f.reopen();
    await second.enqueue([hook("a")], notification(11));
    f.sender.answer = async () => undefined;
    await second.start();
    await waitFor("the digest again, then the newer message", () =>
      delivered(f.events) === 5 ? true : undefined,
    );
    const again = f.sender.calls[4];
    expect(again?.id).toBe(first?.id);
    expect(again?.notifications.map((n) => n.id)).toEqual(ids(4, 10));
    expect(f.sender.calls[5]?.id).toBe(notification(11).id);
    await second.stop();

    const third = f.reopen();
    await third.start();
    expect(third.pendingCount()).toBe(0);
    expect((await readdir(f.dir)).filter((name) => /^[md]-/.test(name))).toEqual([]);
    expect(f.sender.calls).toHaveLength(6);
  });
});
