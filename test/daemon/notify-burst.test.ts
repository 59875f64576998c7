// Issue #16 point 3: a burst of 200 final failures (one DAG, 200 independent failing tasks) to one
// webhook channel and one email channel comes as a few single messages and digests per channel,
// which together carry every notification exactly once.
import { describe, expect, it } from "vitest";
import type { WebhookDigestBody, WebhookNotificationBody } from "../../src/notify/channels/webhook-body.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { smtpReceiver } from "../support/smtp-receiver.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { webhookReceiver } from "../support/webhook-receiver.ts";

const TASKS = 200;
const WINDOW_MS = 5_000;
const ids = Array.from({ length: TASKS }, (_, i) => `t${String(i).padStart(3, "0")}`);
const burst = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "burst", schedule: null, retries: 0,
  notify: { onFailure: [{ webhook: "${url}/burst" }, { email: ["burst@client.example"] }] },
  tasks: ${JSON.stringify(ids)}.map((id) => pod({ id, image: "busybox", command: ["sh", "-c", "exit 1"] })) });
`;

describe("a burst of 200 failures", () => {
  const cleanup = useCleanup("file");

  it("becomes a few single messages and digests per channel, carrying each notification once", async () => {
    const smtp = await smtpReceiver(cleanup);
    const receiver = await webhookReceiver(cleanup);
    const { dagsDir } = await daemonFolders(cleanup, "burst", { "burst.ts": burst(receiver.url) });
    const daemon = await startTestDaemon(
      cleanup,
      ["--dags", dagsDir, "--executor", "local", "--notify-digest-window", `${WINDOW_MS / 1000}s`],
      { env: { UPDRAFT_SMTP_URL: smtp.url } },
    );
    const run = await daemon.daemon.scheduler.trigger("burst", {});
    const expected = ids.map((task) => `failure:${run.id}:${task}:1`).sort();

    const webhookIds = () =>
      receiver.received.flatMap((post) => {
        const body = post.body as WebhookNotificationBody | WebhookDigestBody;
        return body.event === "digest" ? body.notifications.map((n) => n.id) : [body.id];
      });
    // An email names its notifications by title (a digest lists each, up to 100) and says how many it carries.
    const emailCount = () =>
      smtp.received.reduce((sum, { mail }) => {
        const digest = /^updraft: (\d+) notifications$/.exec(mail.subject ?? "");
        return sum + (digest ? Number(digest[1]) : 1);
      }, 0);
    await waitFor(
      "all 200 notifications on both channels",
      () => (webhookIds().length >= TASKS && emailCount() >= TASKS ? true : undefined),
      { timeoutMs: 90_000, details: () => ({ webhook: webhookIds().length, email: emailCount() }) },
    );
    const failedAt = (await daemon.request(`/api/runs/${encodeURIComponent(run.id)}`)).body.tasks.map(
      (t: { endedAt: string }) => Date.parse(t.endedAt),
    );
    // Failures spread over this many windows; each window allows 3 singles and then one digest.
    const windows = Math.ceil((Math.max(...failedAt) - Math.min(...failedAt) + 1) / WINDOW_MS) + 1;

    expect(webhookIds().sort()).toEqual(expected);
    const posts = receiver.received.length;
    const mails = smtp.received.length;
    console.log(`200 failures over ${windows} windows: ${posts} webhook posts, ${mails} emails`);
    for (const count of [posts, mails]) {
      expect(count).toBeLessThanOrEqual(4 * windows);
      expect(count).toBeLessThanOrEqual(20);
    }
    expect(emailCount()).toBe(TASKS);
    const singles = receiver.received.filter((p) => (p.body as { event: string }).event !== "digest");
    expect(singles.length).toBeGreaterThan(0);
    expect(singles.length).toBeLessThanOrEqual(3 * windows);
    // Each task is named once across the emails (a digest lists its first 100, then counts the rest).
    const named = smtp.received.flatMap(({ mail }) =>
      [...(mail.text ?? "").matchAll(/task burst\.(t\d{3}) failed/g)].map((m) => m[1]),
    );
    expect(new Set(named).size).toBe(named.length);
    const longDigests = smtp.received.filter(({ mail }) => /^updraft: \d{3,} /.test(mail.subject ?? ""));
    if (longDigests.length === 0) expect([...named].sort()).toEqual(ids);
    // Nothing more arrives afterwards.
    await daemon.daemon.stop();
    expect(receiver.received.length).toBe(posts);
    expect(smtp.received.length).toBe(mails);
  }, 120_000);
});
