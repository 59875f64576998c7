// Attack on #16 point 1: `--notify-url https://user:pass@host/hook` (or a DAG's webhook with a
// login in it) passes the flag and the schema, but fetch refuses URLs with credentials: the
// message was retried for a day, in vain. The login goes as Basic auth instead, never in an error.
import { describe, expect, it } from "vitest";
import { createChannelSender } from "../../../src/notify/channels/channel-sender.ts";
import type { Channel } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { webhookReceiver } from "../../support/webhook-receiver.ts";
import { deliveryOf, failureNotification } from "../channels/notification-fixture.ts";

describe("a webhook or Slack URL with a login in it", () => {
  const cleanup = useCleanup();

  for (const type of ["webhook", "slack"] as const)
    it(`${type}: is posted with the login as Basic auth, not refused (and retried for a day)`, async () => {
      const receiver = await webhookReceiver(cleanup);
      const url = receiver.url.replace("http://", "http://alerts:p%40ss-w0rd@");
      const channel = { type, url: `${url}/hook?k=1` } as Channel;
      const sender = createChannelSender({ timeoutMs: 2000 });
      cleanup.defer(() => sender.close());
      await sender.send(deliveryOf(channel, failureNotification()));
      const [post] = receiver.received;
      expect(post?.path).toBe("/hook?k=1");
      expect(post?.headers.authorization).toBe(`Basic ${Buffer.from("alerts:p@ss-w0rd").toString("base64")}`);
    });
});
