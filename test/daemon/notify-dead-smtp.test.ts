// Issue #16 point 3: a dead channel never delays scheduling. The SMTP server accepts connections and
// never says a word; failures keep emailing it (five recipient lists, more than the outbox sends to at
// once) while another DAG's 20 runs start and finish and tell their webhook, /api/status answers,
// and /metrics shows the sends waiting and then failing.
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { webhookReceiver } from "../support/webhook-receiver.ts";
import type { WebhookDigestBody, WebhookNotificationBody } from "../../src/notify/channels/webhook-body.ts";

const RECIPIENTS = ["a", "b", "c", "d", "e"].map((name) => `{ email: ["${name}@client.example"] }`);
const failing = `import { dag, pod } from "updraft";
export default dag({ id: "failing", schedule: null,
  notify: { onFailure: [${RECIPIENTS.join(", ")}] },
  tasks: [pod({ id: "boom", image: "busybox", command: ["sh", "-c", "echo boom; exit 1"] })] });
`;
const quick = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "quick", schedule: null, maxActiveRuns: 32,
  notify: { onSuccess: [{ webhook: "${url}/ok" }] },
  tasks: [pod({ id: "hop", image: "busybox", command: ["sh", "-c", "echo hop"] })] });
`;

/** A TCP server that takes every connection and never answers: an SMTP server that hangs before its greeting. */
async function silentServer(cleanup: ReturnType<typeof useCleanup>) {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    open: () => sockets.size,
  };
}

function metric(text: string, line: string): number {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe("a dead SMTP server", () => {
  const cleanup = useCleanup("file");

  it("never delays the scheduler: other runs start and finish while every email send hangs", async () => {
    const smtp = await silentServer(cleanup);
    const receiver = await webhookReceiver(cleanup);
    const { dagsDir } = await daemonFolders(cleanup, "dead-smtp", {
      "failing.ts": failing,
      "quick.ts": quick(receiver.url),
    });
    const args = ["--dags", dagsDir, "--executor", "local", "--notify-digest-window", "1s"];
    const daemon = await startTestDaemon(cleanup, args, {
      env: { UPDRAFT_SMTP_URL: `smtp://mailer:s3cret-Pa55@127.0.0.1:${smtp.port}` },
    });
    const metrics = async () => (await daemon.request("/metrics")).text;
    const scheduler = daemon.daemon.scheduler;

    for (let i = 0; i < 3; i++) await scheduler.trigger("failing", {});
    await waitFor("the outbox to be sending to the silent server", async () =>
      smtp.open() >= 4 && metric(await metrics(), "updraft_outbox_pending_messages") >= 5 ? true : undefined,
    );

    const runs: Array<{ id: string }> = [];
    for (let i = 0; i < 20; i++) runs.push(await scheduler.trigger("quick", {}));
    const finished = await waitFor(
      "all 20 quick runs to succeed",
      async () => {
        const states = await Promise.all(
          runs.map(
            async (run) => (await daemon.request(`/api/runs/${encodeURIComponent(run.id)}`)).body.state,
          ),
        );
        return states.every((state) => state === "success") ? states : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(finished).toHaveLength(20);
    // Another channel is not held up either: every success reached the webhook (digests unpacked).
    await waitFor(
      "the 20 success notifications on the webhook",
      () => {
        const ids = receiver.received.flatMap((post) => {
          const body = post.body as WebhookNotificationBody | WebhookDigestBody;
          return body.event === "digest" ? body.notifications.map((n) => n.id) : [body.id];
        });
        return runs.every((run) => ids.includes(`success:${run.id}`)) ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // Meanwhile not one email was answered: the sends hung (or timed out) the whole time.
    expect(smtp.accepted()).toBeGreaterThanOrEqual(4);
    const during = await metrics();
    expect(metric(during, "updraft_outbox_pending_messages")).toBeGreaterThanOrEqual(5);
    expect(metric(during, 'updraft_notification_deliveries_total{channel="email",result="delivered"}')).toBe(
      0,
    );

    const asked = Date.now();
    await daemon.status();
    expect(Date.now() - asked).toBeLessThan(5_000);

    // The hanging sends time out and count as failed tries (to be retried), the messages stay pending.
    await waitFor(
      "failed email tries in /metrics",
      async () =>
        metric(await metrics(), 'updraft_notification_deliveries_total{channel="email",result="failed"}') >= 4
          ? true
          : undefined,
      { timeoutMs: 45_000 },
    );
    expect(metric(await metrics(), "updraft_outbox_pending_messages")).toBeGreaterThanOrEqual(5);
    expect(daemon.logs.join("\n")).not.toContain("s3cret-Pa55");

    // Stopping does not wait for a hanging send either (it is sent again after the next start).
    await waitFor("a send hanging again", () => (smtp.open() > 0 ? true : undefined), { timeoutMs: 45_000 });
    const stopping = Date.now();
    await daemon.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
  }, 120_000);
});
