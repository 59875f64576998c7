import { createServer } from "node:net";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { createChannelSender } from "../../../src/notify/channels/channel-sender.ts";
import { type Channel, DeliveryError } from "../../../src/notify/notification.ts";
import { smtpReceiver } from "../../support/smtp-receiver.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { deliveryOf, failureNotification, failures, missedNotification } from "./notification-fixture.ts";

const to: Channel = { type: "email", to: ["dev@example.com", "ops@example.com"] };

/** What a failed send rejected with. */
async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe("email channel", () => {
  const cleanup = useCleanup();

  async function senderFor(smtpUrl: string | undefined, timeoutMs = 5000, mailFrom?: string) {
    const sender = createChannelSender({ smtpUrl, mailFrom, timeoutMs });
    cleanup.defer(() => sender.close());
    return sender;
  }

  it("sends a failure as plain text and HTML, with the title as subject and the delivery id as Message-ID", async () => {
    const smtp = await smtpReceiver(cleanup);
    const sender = await senderFor(smtp.url, 5000, "alerts@updraft.example.com");
    const delivery = deliveryOf(to, failureNotification());
    await sender.send(delivery);

    expect(smtp.received).toHaveLength(1);
    const [{ mail, from, to: rcpt }] = smtp.received as [(typeof smtp.received)[number]];
    expect(from).toBe("alerts@updraft.example.com");
    expect(rcpt).toEqual(["dev@example.com", "ops@example.com"]);
    expect(mail.subject).toBe(
      "updraft: task etl.load failed in run manual__2026-12-05T06:00:00 (try 3): exit code 1",
    );
    expect(mail.messageId).toBe(`<${delivery.id}@updraft>`);
    expect(mail.text).toContain("DAG: etl");
    expect(mail.text).toContain("Run: manual__2026-12-05T06:00:00");
    expect(mail.text).toContain("Task: load");
    expect(mail.text).toContain("Try: 3");
    expect(mail.text).toContain("State: failed");
    expect(mail.text).toContain("Commit: 4f2c9e1");
    expect(mail.text).toContain("Reason: exit code 1");
    expect(mail.text).toContain("ERROR: connection to db-1:5432 refused");
    expect(mail.text).toContain(
      "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00/tasks/load/logs?try=3",
    );
    expect(mail.html).toContain(
      'href="https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00/tasks/load/logs?try=3"',
    );
    expect(mail.html).toContain("ERROR: connection to db-1:5432 refused");
  });

  it("sends from updraft@<hostname> without --mail-from, and a missed schedule names its date", async () => {
    const smtp = await smtpReceiver(cleanup);
    const sender = await senderFor(smtp.url);
    await sender.send(deliveryOf({ type: "email", to: ["a@example.com"] }, missedNotification()));
    const [{ mail, from }] = smtp.received as [(typeof smtp.received)[number]];
    expect(from).toBe(`updraft@${os.hostname()}`);
    expect(mail.subject).toContain('DAG "etl" missed its 2026-12-05 06:00 UTC schedule');
    expect(mail.text).toContain("Logical date: 2026-12-05T06:00:00.000Z");
  });

  it("keeps a title with CR/LF on one subject line: no header injection", async () => {
    const smtp = await smtpReceiver(cleanup);
    const sender = await senderFor(smtp.url);
    const title = `updraft: task x failed\r\nBcc: victim@evil.example\r\nX-Injected: yes\u0007 ${"z".repeat(400)}`;
    await sender.send(deliveryOf(to, failureNotification({ title })));
    const [{ mail, to: rcpt }] = smtp.received as [(typeof smtp.received)[number]];
    expect(rcpt).toEqual(["dev@example.com", "ops@example.com"]);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has("x-injected")).toBe(false);
    expect(mail.subject).toMatch(/^updraft: task x failed Bcc: victim@evil\.example X-Injected: yes z+…$/);
    expect(mail.subject?.length).toBeLessThanOrEqual(200);
  });

  it("escapes the HTML body: a reason with <script> shows as text", async () => {
    const smtp = await smtpReceiver(cleanup);
    const sender = await senderFor(smtp.url);
    const reason = `<script>alert("x")</script> & more`;
    await sender.send(
      deliveryOf(to, failureNotification({ reason, logTail: ["<img src=x onerror=alert(1)>"] })),
    );
    const [{ mail }] = smtp.received as [(typeof smtp.received)[number]];
    const html = String(mail.html);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
    expect(mail.text).toContain(reason);
  });

  it("sends a digest: one mail naming how many and listing each", async () => {
    const smtp = await smtpReceiver(cleanup);
    const sender = await senderFor(smtp.url);
    const delivery = deliveryOf(to, ...failures(30));
    await sender.send(delivery);
    expect(smtp.received).toHaveLength(1);
    const [{ mail }] = smtp.received as [(typeof smtp.received)[number]];
    expect(mail.subject).toBe("updraft: 30 notifications");
    expect(mail.messageId).toBe(`<${delivery.id}@updraft>`);
    for (let i = 0; i < 30; i++) {
      expect(mail.text).toContain(
        `updraft: task etl.task_${i} failed in run manual__1 (try 1): exit code ${i}`,
      );
      expect(mail.html).toContain(`etl.task_${i} failed`);
    }
  });

  it("a 550 is final, a 451 is retried, and neither error names the password", async () => {
    const smtp = await smtpReceiver(cleanup);
    const sender = await senderFor(smtp.url);
    smtp.behaviour = "reject-550";
    const final = await rejection(sender.send(deliveryOf(to, failureNotification())));
    expect(final.retryable).toBe(false);
    expect(final.message).toMatch(/550/);
    smtp.behaviour = "reject-451";
    const later = await rejection(sender.send(deliveryOf(to, failureNotification())));
    expect(later.retryable).toBe(true);
    expect(later.message).toMatch(/451/);
    for (const error of [final, later]) {
      expect(error.message).not.toContain(smtp.password);
      expect(error.message).toContain("127.0.0.1");
    }
  });

  it("a wrong password is final and the error does not show it", async () => {
    const smtp = await smtpReceiver(cleanup);
    const wrong = smtp.url.replace(smtp.password, "Wr0ng-Pa55word");
    const sender = await senderFor(wrong);
    const error = await rejection(sender.send(deliveryOf(to, failureNotification())));
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("Wr0ng-Pa55word");
    expect(error.message).not.toContain(smtp.password);
  });

  it("a refused port is retried", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const sender = await senderFor(`smtp://mailer:Hidden-Pa55@127.0.0.1:${port}`);
    const error = await rejection(sender.send(deliveryOf(to, failureNotification())));
    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain("Hidden-Pa55");
  });

  it("a hanging server fails the send after timeoutMs, retryable", { timeout: 4000 }, async () => {
    const smtp = await smtpReceiver(cleanup);
    smtp.behaviour = "hang";
    const sender = await senderFor(smtp.url, 300);
    const error = await rejection(sender.send(deliveryOf(to, failureNotification())));
    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain(smtp.password);
  });

  it("without an SMTP URL an email channel is undeliverable, saying how to set one", async () => {
    const sender = await senderFor(undefined);
    const error = await rejection(sender.send(deliveryOf(to, failureNotification())));
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("email needs an SMTP server: set UPDRAFT_SMTP_URL or --smtp-url-file");
  });

  it("refuses an SMTP URL that is not smtp:// or smtps:// without quoting it", async () => {
    for (const [url, problem] of [
      ["not a url S3cretPass", "is not a URL"],
      ["http://mailer:S3cretPass@mail.example.com:25", "must start with smtp:// or smtps://, not http://"],
    ] as const) {
      const sender = await senderFor(url);
      const error = await rejection(sender.send(deliveryOf(to, failureNotification())));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(problem);
      expect(error.message).not.toContain("S3cretPass");
    }
  });
});
