import { type ChannelSender, type Delivery, DeliveryError } from "../notification.ts";

export interface ChannelSenderOptions {
  /** `UPDRAFT_SMTP_URL` (or `--smtp-url-file`): `smtp://user:pass@host:587`, `smtps://…`; email channels fail without it. */
  smtpUrl?: string | undefined;
  /** `--mail-from`. */
  mailFrom?: string | undefined;
  fetch?: typeof fetch;
  /** Per send (HTTP request or SMTP conversation). */
  timeoutMs?: number;
}

/**
 * SCAFFOLD, replaced by the channels helper: posts a webhook's JSON only.
 * Picks the sender for a delivery's channel (email over SMTP, Slack Block Kit, webhook JSON).
 */
export function createChannelSender(options: ChannelSenderOptions): ChannelSender & { close(): void } {
  const send = options.fetch ?? fetch;
  return {
    async send(delivery: Delivery) {
      const { channel } = delivery;
      if (channel.type === "email") throw new DeliveryError("email is not built yet", false);
      const [first] = delivery.notifications;
      const response = await send(channel.url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": delivery.id },
        body: JSON.stringify({ text: first?.title, ...first }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new DeliveryError(`HTTP ${response.status}`, response.status >= 500);
    },
    close() {},
  };
}
