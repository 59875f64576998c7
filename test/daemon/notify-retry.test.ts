// Issue #16 point 3 in a daemon: a webhook answering 503 and a Slack hook answering 429 with a
// Retry-After are tried again later (the Slack one not before its Retry-After), each with the same
// delivery (the webhook's Idempotency-Key), and then delivered once; /metrics counts both tries.
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { webhookReceiver } from "../support/webhook-receiver.ts";

const RETRY_AFTER_S = 12;

function metric(text: string, line: string): number | undefined {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe("a channel that asks to be tried later", () => {
  const cleanup = useCleanup("file");

  it("gets the same message again after the backoff (Slack: after its Retry-After), once it answers", async () => {
    const times = new Map<string, number[]>();
    const receiver = await webhookReceiver(cleanup, {
      answer: (post) => {
        const seen = times.get(post.path) ?? [];
        seen.push(Date.now());
        times.set(post.path, seen);
        if (seen.length > 1) return {};
        return post.path === "/slack"
          ? { status: 429, headers: { "retry-after": String(RETRY_AFTER_S) }, body: "rate_limited" }
          : { status: 503, body: "busy" };
      },
    });
    const source = `import { dag, pod } from "updraft";
export default dag({ id: "retried", schedule: null, retries: 0,
  notify: { onFailure: [{ webhook: "${receiver.url}/hook" }, { slack: "${receiver.url}/slack" }] },
  tasks: [pod({ id: "boom", image: "busybox", command: ["sh", "-c", "exit 5"] })] });
`;
    const { dagsDir } = await daemonFolders(cleanup, "notify-retry", { "retried.ts": source });
    const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--executor", "local"]);
    const run = await daemon.daemon.scheduler.trigger("retried", {});
    await waitFor(
      "both channels tried twice",
      () =>
        (times.get("/hook")?.length ?? 0) >= 2 && (times.get("/slack")?.length ?? 0) >= 2 ? true : undefined,
      { timeoutMs: 45_000 },
    );
    const hooks = receiver.received.filter((p) => p.path === "/hook");
    expect(hooks.map((p) => p.headers["idempotency-key"])).toEqual([
      `failure:${run.id}:boom:1`,
      `failure:${run.id}:boom:1`,
    ]);
    expect(JSON.stringify(hooks[1]?.body)).toBe(JSON.stringify(hooks[0]?.body));
    const [hookFirst = 0, hookSecond = 0] = times.get("/hook") ?? [];
    const [slackFirst = 0, slackSecond = 0] = times.get("/slack") ?? [];
    // The first retry comes after 10 s (±10 % jitter); Slack's not before its Retry-After.
    expect(hookSecond - hookFirst).toBeGreaterThanOrEqual(9_000);
    expect(slackSecond - slackFirst).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 100);

    await waitFor("nothing pending", async () =>
      metric((await daemon.request("/metrics")).text, "updraft_outbox_pending_messages") === 0
        ? true
        : undefined,
    );
    const metrics = (await daemon.request("/metrics")).text;
    for (const channel of ["webhook", "slack"]) {
      expect(
        metric(metrics, `updraft_notification_deliveries_total{channel="${channel}",result="failed"}`),
      ).toBe(1);
      expect(
        metric(metrics, `updraft_notification_deliveries_total{channel="${channel}",result="delivered"}`),
      ).toBe(1);
    }
    expect(receiver.received).toHaveLength(4);
    expect((await daemon.request("/api/notifications")).body).toEqual({ pending: 0, undeliverable: [] });
  }, 60_000);
});
