import { createRequire } from "node:module";
import os from "node:os";
import { type ChannelSender, type Delivery, DeliveryError, channelLabel } from "../notification.ts";
import { renderEmail } from "./email-message.ts";

export { smtpUrlProblem } from "../../config/smtp-url.ts";

export interface EmailSenderOptions {
  smtpUrl: string;
  /** `--mail-from`; default `updraft@<hostname>`. */
  mailFrom?: string | undefined;
  timeoutMs: number;
  publicUrl?: string | undefined;
}

// Loaded when a sender is made, not imported: a start without email notifications skips its modules.
const load = createRequire(import.meta.url);
const nodemailer = () => load("nodemailer") as typeof import("nodemailer");

/** Errors a transport may throw: nodemailer adds the SMTP reply code. */
interface SmtpFailure extends Error {
  code?: string;
  responseCode?: number;
}

/**
 * Sends email deliveries over one SMTP transport (not pooled: each delivery is one conversation,
 * and bursts are digests already). The Message-ID is the delivery id, so a resend can be deduped.
 */
export function createEmailSender(options: EmailSenderOptions): ChannelSender & { close(): void } {
  const transport = nodemailer().createTransport({
    url: options.smtpUrl,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.timeoutMs,
  });
  const from = options.mailFrom ?? `updraft@${os.hostname()}`;
  const server = smtpHost(options.smtpUrl);
  const secrets = secretsOf(options.smtpUrl);
  return {
    async send(delivery: Delivery) {
      if (delivery.channel.type !== "email")
        throw new Error(`not an email channel: ${channelLabel(delivery.channel)}`);
      const message = renderEmail(delivery, options.publicUrl);
      const sending = transport.sendMail({
        from,
        to: delivery.channel.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${delivery.id.replace(/[^A-Za-z0-9._~:+-]/g, "-")}@updraft>`,
      });
      try {
        await withDeadline(sending, options.timeoutMs * 2);
      } catch (error) {
        throw deliveryError(error as SmtpFailure, server, secrets);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** 5xx replies (no such user, bad login) are final; 4xx replies, refused connections and timeouts are tried again. */
function deliveryError(error: SmtpFailure, server: string, secrets: readonly string[]): DeliveryError {
  const code = error.responseCode;
  const retryable = code === undefined || code < 500;
  let detail = String(error.message);
  // A reply or a connection error could quote the URL or the login: never let the password through.
  for (const secret of secrets) detail = detail.split(secret).join("***");
  return new DeliveryError(`email via SMTP ${server}: ${detail}`, retryable);
}

/** The connection timeouts bound each phase; this bounds the whole conversation. */
function withDeadline(sending: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: "ETIMEDOUT" })),
      ms,
    );
  });
  return Promise.race([sending, deadline]).finally(() => clearTimeout(timer));
}

function smtpHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid SMTP URL)";
  }
}

/** The password as written in the URL and decoded, and the whole URL. */
function secretsOf(url: string): string[] {
  const secrets = [url];
  try {
    const { password } = new URL(url);
    if (password) secrets.push(password);
    if (password) secrets.push(decodeURIComponent(password));
  } catch {
    // an invalid URL is hidden whole
  }
  return secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}
