import { describe, expect, it } from "vitest";
import { createChannelSender } from "../../../src/notify/channels/channel-sender.ts";
import { type Channel, DeliveryError } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { webhookReceiver, type WebhookReceiverOptions } from "../../support/webhook-receiver.ts";
import { deliveryOf, failureNotification, failures } from "./notification-fixture.ts";

interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: Array<{ type: string; text: string }>;
  elements?: Array<{ type: string; text: { text: string }; url: string }>;
}
interface SlackBody {
  text: string;
  blocks: Block[];
}

const SECRET_PATH = "/services/T000/B000/XXXXsecretXXXX";

describe("Slack channel", () => {
  const cleanup = useCleanup();

  async function slack(options: WebhookReceiverOptions = {}) {
    const receiver = await webhookReceiver(cleanup, options);
    const channel: Channel = { type: "slack", url: `${receiver.url}${SECRET_PATH}` };
    const sender = createChannelSender({ timeoutMs: 2000 });
    cleanup.defer(() => sender.close());
    return { receiver, channel, sender };
  }

  it("posts a failure as Block Kit: header, facts, reason, log tail, buttons, and a text fallback", async () => {
    const { receiver, channel, sender } = await slack();
    await sender.send(deliveryOf(channel, failureNotification()));
    expect(receiver.received).toHaveLength(1);
    const body = receiver.received[0]?.body as SlackBody;
    expect(receiver.received[0]?.path).toBe(SECRET_PATH);
    expect(body.text).toBe(
      "updraft: task etl.load failed in run manual__2026-12-05T06:00:00 (try 3): exit code 1",
    );
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "actions"]);
    const [header, facts, reason, tail, actions] = body.blocks as [Block, Block, Block, Block, Block];
    expect(header.text).toMatchObject({ type: "plain_text", text: body.text });
    expect(facts.fields?.map((f) => f.text)).toEqual([
      "*DAG*\netl",
      "*Run*\nmanual__2026-12-05T06:00:00",
      "*Task*\nload",
      "*Try*\n3",
      "*State*\nfailed",
      "*Commit*\n4f2c9e1",
    ]);
    expect(reason.text?.text).toBe("*Reason:* exit code 1");
    expect(tail.text?.text).toBe(
      "```\nloading 120 rows into warehouse.orders\nERROR: connection to db-1:5432 refused\n```",
    );
    expect(actions.elements?.map((e) => [e.text.text, e.url])).toEqual([
      ["View log", "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00/tasks/load/logs?try=3"],
      ["View run", "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00"],
    ]);
  });

  it("escapes user text for mrkdwn and keeps every block within Slack's limits", async () => {
    const { receiver, channel, sender } = await slack();
    const longTitle = `updraft: task <!channel> & <https://evil.example|click> ${"t".repeat(300)}`;
    const logTail = Array.from({ length: 20 }, (_, i) => `${i} <b>&` + "x".repeat(400) + "```");
    await sender.send(
      deliveryOf(channel, failureNotification({ title: longTitle, reason: "<@U123> & done", logTail })),
    );
    const body = receiver.received[0]?.body as SlackBody;
    const [header, , reason, tail] = body.blocks as [Block, Block, Block, Block];
    expect(header.text?.text.length).toBeLessThanOrEqual(150);
    expect(reason.text?.text).toBe("*Reason:* &lt;@U123&gt; &amp; done");
    expect(body.text).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    const code = tail.text?.text ?? "";
    expect(code.length).toBeLessThanOrEqual(3000);
    expect(code.startsWith("```\n") && code.endsWith("\n```")).toBe(true);
    const inner = code.slice(4, -4);
    expect(inner).not.toContain("```");
    expect(inner).not.toMatch(/<|>/);
    // The newest lines are kept; the oldest ones give way.
    expect(inner.split("\n").at(-1)).toMatch(/^19 &lt;b&gt;&amp;x+/);
    expect(inner).not.toContain("\n0 &lt;b&gt;");
    for (const block of body.blocks) {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    }
  });

  it("posts a digest: a header with the count, one line each up to 20, and a status page button", async () => {
    const { receiver, channel, sender } = await slack();
    await sender.send(deliveryOf(channel, ...failures(25)));
    const body = receiver.received[0]?.body as SlackBody;
    expect(body.text).toBe("updraft: 25 notifications");
    const [header, list, actions] = body.blocks as [Block, Block, Block];
    expect(header.text?.text).toBe("updraft: 25 notifications");
    const lines = list.text?.text.split("\n") ?? [];
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe("• updraft: task etl.task_0 failed in run manual__1 (try 1): exit code 0");
    expect(lines[20]).toBe("and 5 more");
    expect(actions.elements?.map((e) => [e.text.text, e.url])).toEqual([
      ["Open the status page", "https://updraft.example.com/"],
    ]);
  });

  it("a digest's status page button follows --public-url, path prefix included", async () => {
    const receiver = await webhookReceiver(cleanup);
    const sender = createChannelSender({ timeoutMs: 2000, publicUrl: "https://ops.example.com/updraft" });
    await sender.send(deliveryOf({ type: "slack", url: `${receiver.url}${SECRET_PATH}` }, ...failures(2)));
    const actions = (receiver.received[0]?.body as SlackBody).blocks.at(-1);
    expect(actions?.elements?.map((e) => e.url)).toEqual(["https://ops.example.com/updraft/"]);
  });

  it("429 is retried after Retry-After; 5xx is retried; 400, 403 and 404 are final; no error names the URL", async () => {
    const answers = [
      { status: 429, headers: { "retry-after": "30" }, body: "rate_limited" },
      { status: 503, body: "service unavailable" },
      { status: 400, body: "invalid_payload" },
      { status: 403, body: "action_prohibited" },
      { status: 404, body: "no_service" },
    ];
    const { channel, sender } = await slack({ answer: (_post, i) => answers[i] ?? {} });
    const errors: DeliveryError[] = [];
    for (const _ of answers) {
      const error = await sender.send(deliveryOf(channel, failureNotification())).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      errors.push(error as DeliveryError);
    }
    expect(errors.map((e) => [e.retryable, e.retryAfterMs])).toEqual([
      [true, 30_000],
      [true, undefined],
      [false, undefined],
      [false, undefined],
      [false, undefined],
    ]);
    expect(errors[2]?.message).toMatch(/^slack 127\.0\.0\.1:\d+: HTTP 400: invalid_payload$/);
    expect(errors[4]?.message).toContain("no_service");
    for (const error of errors) expect(error.message).not.toContain("secret");
  });

  it("does not follow a redirect to another host", async () => {
    const elsewhere = await webhookReceiver(cleanup);
    const { channel, sender } = await slack({
      answer: () => ({ status: 307, headers: { location: `${elsewhere.url}/steal` } }),
    });
    const error = await sender.send(deliveryOf(channel, failureNotification())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(false);
    expect(elsewhere.received).toHaveLength(0);
  });
});
