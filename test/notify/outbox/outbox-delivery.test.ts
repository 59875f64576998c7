// Issue 16 point 3: delivery runs in the background, in order per channel, one send at a time per
// channel, and a channel that hangs holds up neither other channels nor enqueue nor stop.
import { describe, expect, it } from "vitest";
import type { Delivery, Notification } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { outboxFixture } from "./support/outbox-fixture.ts";
import { hook, notification } from "./support/notifications.ts";

const cleanup = useCleanup();
const never = () => new Promise<void>(() => undefined);

/** Sends that wait until the test releases them, one by one. */
function gate() {
  const waiting: Array<() => void> = [];
  return {
    answer: () => new Promise<void>((resolve) => waiting.push(resolve)),
    get waiting() {
      return waiting.length;
    },
    release: () => waiting.shift()?.(),
  };
}

describe("delivery", () => {
  it("sends a channel's messages in order, one at a time, each once", async () => {
    const { outbox, sender, events } = await outboxFixture(cleanup, { burstLimit: 100 });
    const sends = gate();
    sender.answer = sends.answer;
    await outbox.start();
    await outbox.enqueue([hook("a")], { ...notification(1), extra: "kept" } as Notification);
    for (let n = 2; n <= 5; n++) await outbox.enqueue([hook("a")], notification(n));
    for (let n = 1; n <= 5; n++) {
      await waitFor(`send ${n}`, () => (sender.calls.length === n ? true : undefined));
      expect(sends.waiting).toBe(1);
      sends.release();
    }
    await waitFor("all delivered", () => (events.length === 5 ? true : undefined));
    expect(sender.sentTo("SECRET-a")).toEqual([1, 2, 3, 4, 5].map((n) => [notification(n).id]));
    expect(sender.calls.map((d) => d.id)).toEqual([1, 2, 3, 4, 5].map((n) => notification(n).id));
    // Sent as routing built it, fields the outbox does not know included.
    expect(sender.calls[0]?.notifications).toEqual([{ ...notification(1), extra: "kept" }]);
    expect(outbox.pendingCount()).toBe(0);
  });

  it("keeps a channel's order across a restart, also for messages enqueued before start", async () => {
    const { outbox, sender, clock, events, reopen } = await outboxFixture(cleanup, { burstLimit: 100 });
    for (let n = 1; n <= 3; n++) await outbox.enqueue([hook("a")], notification(n));
    await outbox.stop();
    clock.advance(1_000);
    const again = reopen();
    for (let n = 4; n <= 6; n++) await again.enqueue([hook("a")], notification(n));
    await again.start();
    await waitFor("all delivered", () => (events.length === 6 ? true : undefined));
    expect(sender.calls.map((d) => d.id)).toEqual([1, 2, 3, 4, 5, 6].map((n) => notification(n).id));
  });

  it("never lets a hanging channel hold up enqueue or another channel", async () => {
    const { outbox, sender, clock, events } = await outboxFixture(cleanup, {
      maxParallel: 1,
      slowSendMs: 5_000,
    });
    sender.answer = async (delivery: Delivery) => {
      if (delivery.channel.type === "webhook" && delivery.channel.url.includes("SECRET-dead")) return never();
    };
    await outbox.start();
    await outbox.enqueue([hook("dead")], notification(1));
    await waitFor("the dead channel's send", () => (sender.calls.length === 1 ? true : undefined));
    // enqueue resolves while the only slot hangs
    await outbox.enqueue([hook("live")], notification(2));
    expect(sender.sentTo("SECRET-live")).toEqual([]);
    clock.advance(5_000);
    await waitFor("the live channel delivered", () => (events.length === 1 ? true : undefined));
    expect(sender.sentTo("SECRET-live")).toEqual([[notification(2).id]]);
  });

  it("counts a send unanswered after sendTimeoutMs as a failed try and sends it again with the same id", async () => {
    const { outbox, sender, clock, events } = await outboxFixture(cleanup, {
      slowSendMs: 1_000,
      sendTimeoutMs: 5_000,
    });
    sender.answer = never;
    await outbox.start();
    await outbox.enqueue([hook("a")], notification(1));
    await waitFor("the send", () => (sender.calls.length === 1 ? true : undefined));
    clock.advance(5_000);
    await waitFor("a retry", () => (events.length === 1 ? true : undefined));
    expect(events[0]).toMatchObject({ type: "retry", attempts: 1 });
    sender.answer = async () => undefined;
    clock.advance(10_000);
    await waitFor("delivered", () => (events.length === 2 ? true : undefined));
    expect(sender.calls.map((d) => d.id)).toEqual([notification(1).id, notification(1).id]);
  });

  it("sends to at most maxParallel channels at once", async () => {
    const { outbox, sender } = await outboxFixture(cleanup, { maxParallel: 4 });
    const sends = gate();
    sender.answer = sends.answer;
    await outbox.start();
    for (let c = 0; c < 6; c++) await outbox.enqueue([hook(`c${c}`)], notification(c));
    await waitFor("four sends", () => (sender.calls.length === 4 ? true : undefined));
    expect(sends.waiting).toBe(4);
    sends.release();
    await waitFor("a fifth once one finished", () => (sender.calls.length === 5 ? true : undefined));
    expect(sends.waiting).toBe(4);
  });

  it("stops at once with a send hanging, and sends it again with the same id after the next start", async () => {
    const { outbox, sender, events, reopen } = await outboxFixture(cleanup);
    sender.answer = never;
    await outbox.start();
    await outbox.enqueue([hook("a")], notification(1));
    await waitFor("the send", () => (sender.calls.length === 1 ? true : undefined));
    await outbox.stop();
    expect(outbox.pendingCount()).toBe(1);

    sender.answer = async () => undefined;
    const again = reopen();
    await again.start();
    await waitFor("sent again", () => (events.length === 1 ? true : undefined));
    expect(sender.calls.map((d) => d.id)).toEqual([notification(1).id, notification(1).id]);
    expect(again.pendingCount()).toBe(0);
  });
});
