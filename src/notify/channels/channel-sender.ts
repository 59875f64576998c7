import { type ChannelSender, type Delivery, DeliveryError } from "../notification.ts";
import { createEmailSender, smtpUrlProblem } from "./email-sender.ts";
import { createSlackSender, createWebhookSender } from "./http-senders.ts";

export interface ChannelSenderOptions {
  /** `UPDRAFT_SMTP_URL` (or `--smtp-url-file`): `smtp://user:pass@host:587`, `smtps://…`; email channels fail without it. */
  smtpUrl?: string | undefined;
  /** `--mail-from`. */
  mailFrom?: string | undefined;
  fetch?: typeof fetch;
  /** Per send (HTTP request or SMTP conversation). */
  timeoutMs?: number;
  /** `--public-url`: where a digest's "status page" button leads; else the origin of the notifications' links. */
  publicUrl?: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Picks the sender for a delivery's channel: email over SMTP, Slack Block Kit, webhook JSON. */
export function createChannelSender(options: ChannelSenderOptions): ChannelSender & { close(): void } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const http = { fetch: options.fetch ?? fetch, timeoutMs, publicUrl: options.publicUrl };
  const smtpProblem = options.smtpUrl ? smtpUrlProblem(options.smtpUrl) : undefined;
  const email =
    options.smtpUrl && !smtpProblem
      ? createEmailSender({
          smtpUrl: options.smtpUrl,
          mailFrom: options.mailFrom,
          timeoutMs,
          publicUrl: options.publicUrl,
        })
      : undefined;
  const slack = createSlackSender(http);
  const webhook = createWebhookSender(http);
  return {
    async send(delivery: Delivery) {
      switch (delivery.channel.type) {
        case "email":
          if (smtpProblem) throw new DeliveryError(smtpProblem, false);
          if (!email)
            throw new DeliveryError(
              "email needs an SMTP server: set UPDRAFT_SMTP_URL or --smtp-url-file",
              false,
            );
          return email.send(delivery);
        case "slack":
          return slack.send(delivery);
        case "webhook":
          return webhook.send(delivery);
      }
    },
    close() {
      email?.close();
    },
  };
}
