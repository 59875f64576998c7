import { type ChannelSender, type Delivery, channelLabel } from "../notification.ts";
import { postJson } from "./http-post.ts";
import { renderSlack } from "./slack-message.ts";
import { renderWebhook } from "./webhook-body.ts";

export interface HttpSenderOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  publicUrl?: string | undefined;
}

/** Slack incoming webhooks: rate limits (429) and outages (5xx) pass; any other 4xx (invalid_payload, no_service) will not. */
export function createSlackSender(options: HttpSenderOptions): ChannelSender {
  return {
    async send(delivery: Delivery) {
      const { channel } = delivery;
      if (channel.type !== "slack") throw new Error(`not a Slack channel: ${channelLabel(channel)}`);
      await postJson({
        url: channel.url,
        label: channelLabel(channel),
        body: renderSlack(delivery, options.publicUrl),
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        retryable: (status) => status === 429 || status >= 500,
      });
    },
  };
}

/** Webhooks: JSON with the delivery id as `Idempotency-Key`; 408, 425, 429 and 5xx are tried again. */
export function createWebhookSender(options: HttpSenderOptions): ChannelSender {
  return {
    async send(delivery: Delivery) {
      const { channel } = delivery;
      if (channel.type !== "webhook") throw new Error(`not a webhook channel: ${channelLabel(channel)}`);
      await postJson({
        url: channel.url,
        label: channelLabel(channel),
        body: renderWebhook(delivery),
        headers: { "idempotency-key": delivery.id },
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        retryable: (status) => [408, 425, 429].includes(status) || status >= 500,
      });
    },
  };
}
