// Attack on #16 point 3: a burst of 500 failures with full log tails becomes one webhook digest of
// every member's whole body: ~3-6 MB. A receiver behind nginx (1 MB by default) answers 413, a
// final error: all 500 notifications were given up on. The digest stays under 1 MB, small digests
// keep each member whole.
import { describe, expect, it } from "vitest";
import { renderWebhook, type WebhookDigestBody } from "../../../src/notify/channels/webhook-body.ts";
import type { Channel } from "../../../src/notify/notification.ts";
import { deliveryOf, failureNotification } from "../channels/notification-fixture.ts";

const channel: Channel = { type: "webhook", url: "https://hooks.example.com/updraft" };
const noisy = (i: number) =>
  failureNotification({
    id: `failure:etl:run-${i}:load:1`,
    reason: `exit code 1: ${"r".repeat(3000)}`,
    logTail: Array.from({ length: 20 }, (_, line) => `${line} ${"x".repeat(296)}`),
  });

describe("a webhook digest", () => {
  it("of 500 notifications with long log tails stays under 1 MB, each member still there", () => {
    const body = renderWebhook(deliveryOf(channel, ...Array.from({ length: 500 }, (_, i) => noisy(i))));
    const size = Buffer.byteLength(JSON.stringify(body));
    expect(size).toBeLessThan(1024 * 1024);
    const digest = body as WebhookDigestBody;
    expect(digest.count).toBe(500);
    expect(digest.notifications.map((n) => n.id)).toEqual(Array.from({ length: 500 }, (_, i) => noisy(i).id));
    expect(digest.notifications.every((n) => n.logUrl === noisy(0).links.log)).toBe(true);
  });

  it("of a few keeps each member's body whole", () => {
    const body = renderWebhook(deliveryOf(channel, noisy(1), noisy(2))) as WebhookDigestBody;
    expect(body.notifications[0]?.logTail).toEqual(noisy(1).logTail);
    expect(body.notifications[1]?.reason).toEqual(noisy(2).reason);
  });
});
