import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createChannelSender } from "../../../src/notify/channels/channel-sender.ts";
import { type Channel, DeliveryError } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { webhookReceiver, type WebhookReceiverOptions } from "../../support/webhook-receiver.ts";
import { deliveryOf, failureNotification, failures, missedNotification } from "./notification-fixture.ts";

const SECRET_PATH = "/hooks/tok3n-in-the-path";

describe("webhook channel", () => {
  const cleanup = useCleanup();

  async function webhook(options: WebhookReceiverOptions = {}, timeoutMs = 2000) {
    const receiver = await webhookReceiver(cleanup, options);
    const channel: Channel = { type: "webhook", url: `${receiver.url}${SECRET_PATH}` };
    const sender = createChannelSender({ timeoutMs });
    cleanup.defer(() => sender.close());
    return { receiver, channel, sender };
  }

  it("posts a failure as a superset of round 1's body, with the delivery id as Idempotency-Key", async () => {
    const { receiver, channel, sender } = await webhook();
    const delivery = deliveryOf(channel, failureNotification());
    await sender.send(delivery);
    const [post] = receiver.received;
    expect(post?.headers["idempotency-key"]).toBe(delivery.id);
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.body).toEqual({
      text: "updraft: task etl.load failed in run manual__2026-12-05T06:00:00 (try 3): exit code 1",
      id: "failure-etl-manual__2026-12-05T06-00-00-load-3",
      event: "failure",
      at: "2026-12-05T06:04:10.000Z",
      dag: "etl",
      run: "manual__2026-12-05T06:00:00",
      task: "load",
      try: 3,
      state: "failed",
      reason: "exit code 1",
      commit: "4f2c9e1b7a5d3c8e9f0a1b2c3d4e5f6a7b8c9d0e",
      logicalDate: "2026-12-05T06:00:00.000Z",
      logTail: ["loading 120 rows into warehouse.orders", "ERROR: connection to db-1:5432 refused"],
      runUrl: "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00",
      logUrl: "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00/tasks/load/logs?try=3",
      syncUrl: null,
    });
  });

  it("a missed schedule keeps round 1's kind and count", async () => {
    const { receiver, channel, sender } = await webhook();
    await sender.send(deliveryOf(channel, missedNotification()));
    expect(receiver.received[0]?.body).toMatchObject({
      text: missedNotification().title,
      dag: "etl",
      logicalDate: "2026-12-05T06:00:00.000Z",
      kind: "start",
      reason: "no run started within 15m of 2026-12-05T06:00:00.000Z (DAG paused)",
      count: 1,
      event: "missed_schedule",
    });
  });

  it("posts a digest with each notification's own body", async () => {
    const { receiver, channel, sender } = await webhook();
    const delivery = deliveryOf(channel, ...failures(3), missedNotification());
    await sender.send(delivery);
    const body = receiver.received[0]?.body as { notifications: Array<{ id: string; kind?: string }> };
    expect(body).toMatchObject({
      text: "updraft: 4 notifications",
      id: delivery.id,
      event: "digest",
      count: 4,
    });
    expect(body.notifications.map((n) => n.id)).toEqual([
      "failure-0",
      "failure-1",
      "failure-2",
      missedNotification().id,
    ]);
    expect(body.notifications[3]).toMatchObject({ kind: "start", count: 1 });
    expect(receiver.received[0]?.headers["idempotency-key"]).toBe(delivery.id);
  });

  it("408, 425, 429 and 5xx are retried (Retry-After honoured); other non-2xx are final; no error names the path", async () => {
    const statuses = [408, 425, 429, 500, 502, 400, 401, 410, 422];
    const { channel, sender } = await webhook({
      answer: (_post, i) => ({
        status: statuses[i] ?? 200,
        headers: Object.fromEntries(
          statuses[i] === 429 ? [["retry-after", "Fri, 31 Dec 1999 23:59:59 GMT"]] : [],
        ),
        body: "x".repeat(100_000),
      }),
    });
    const outcomes: Array<[number, boolean, number | undefined]> = [];
    for (const status of statuses) {
      const error = await sender.send(deliveryOf(channel, failureNotification())).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      const { retryable, retryAfterMs, message } = error as DeliveryError;
      outcomes.push([status, retryable, retryAfterMs]);
      expect(message).not.toContain("tok3n");
      expect(message.length).toBeLessThan(300);
    }
    expect(outcomes).toEqual([
      [408, true, undefined],
      [425, true, undefined],
      [429, true, 0],
      [500, true, undefined],
      [502, true, undefined],
      [400, false, undefined],
      [401, false, undefined],
      [410, false, undefined],
      [422, false, undefined],
    ]);
  });

  it("follows a same-host 307 with the same body", async () => {
    const { receiver, channel, sender } = await webhook({
      answer: (post) => (post.path === SECRET_PATH ? { status: 307, headers: { location: "/moved" } } : {}),
    });
    await sender.send(deliveryOf(channel, failureNotification()));
    expect(receiver.received.map((p) => p.path)).toEqual([SECRET_PATH, "/moved"]);
    expect(receiver.received[1]?.body).toEqual(receiver.received[0]?.body);
  });

  it(
    "a refused connection and a server that never answers are retryable, within the timeout",
    { timeout: 4000 },
    async () => {
      const silent = createServer(() => {});
      silent.listen(0, "127.0.0.1");
      await once(silent, "listening");
      cleanup.defer(() => {
        silent.closeAllConnections();
        return new Promise((resolve) => silent.close(resolve));
      });
      const port = (silent.address() as AddressInfo).port;
      const sender = createChannelSender({ timeoutMs: 300 });
      const hung = await sender
        .send(
          deliveryOf(
            { type: "webhook", url: `http://127.0.0.1:${port}${SECRET_PATH}` },
            failureNotification(),
          ),
        )
        .catch((e: unknown) => e);
      expect(hung).toBeInstanceOf(DeliveryError);
      expect([(hung as DeliveryError).retryable, (hung as DeliveryError).message]).toEqual([
        true,
        `webhook 127.0.0.1:${port}: no reply in time`,
      ]);

      const closed = createServer();
      closed.listen(0, "127.0.0.1");
      await once(closed, "listening");
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const refused = await sender
        .send(
          deliveryOf(
            { type: "webhook", url: `http://127.0.0.1:${closedPort}${SECRET_PATH}` },
            failureNotification(),
          ),
        )
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DeliveryError);
      expect([(refused as DeliveryError).retryable, (refused as DeliveryError).message]).toEqual([
        true,
        `webhook 127.0.0.1:${closedPort}: request failed (ECONNREFUSED)`,
      ]);
    },
  );
});
