// Issue #16 points 1-2 in a daemon following a git remote, with the local executor and a local
// receiver for webhook channels: each event reaches exactly its channels once, with its content
// (log tail, commit, links); a paused DAG's missed dates come one message each; a commit that fails
// to load is told with --notify-on-sync-failure; the old onFailure URL and --notify-url still receive.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { WebhookDigestBody, WebhookNotificationBody } from "../../src/notify/channels/webhook-body.ts";
import { throwingModule } from "../support/dag-sources.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { type ReceivedPost, webhookReceiver } from "../support/webhook-receiver.ts";

const PUBLIC_URL = "https://updraft.example";
const SECRET = "tok-notify-0123456789";

const noisy = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "noisy", schedule: null, retries: 1, retryDelay: "1s",
  onFailure: { url: "${url}/old" },
  notify: { onFailure: [{ webhook: "${url}/fail" }], onRetry: [{ webhook: "${url}/retry" }], onSuccess: [{ webhook: "${url}/never" }] },
  tasks: [pod({ id: "flaky", image: "busybox",
    command: ["sh", "-c", "for i in $(seq 1 25); do echo line $i; done; echo token ${SECRET.slice(0, 6)}''${SECRET.slice(6)}; exit 3"] })] });
`;
const fine = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "fine", schedule: null,
  notify: { onSuccess: [{ webhook: "${url}/ok" }], onFailure: [{ webhook: "${url}/fail-fine" }] },
  tasks: [pod({ id: "quick", image: "busybox", command: ["sh", "-c", "echo done"] })] });
`;
const late = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "late", schedule: "* * * * * *", expectedWithin: "1s", pausedOnCreation: true,
  notify: { onMissedSchedule: [{ webhook: "${url}/missed" }] },
  tasks: [pod({ id: "quick", image: "busybox", command: ["true"] })] });
`;

describe("notifications from a daemon", () => {
  const cleanup = useCleanup("file");
  let receiver: { url: string; received: ReceivedPost[] };
  let remote: GitRemote;
  let daemon: TestDaemon;
  // What a webhook got, a digest's notifications included (a burst to one channel comes as one).
  const at = (route: string) =>
    receiver.received
      .filter((post) => post.path === route)
      .flatMap((post) => {
        const body = post.body as WebhookNotificationBody | WebhookDigestBody;
        return body.event === "digest" ? body.notifications : [body];
      });

  beforeAll(async () => {
    receiver = await webhookReceiver(cleanup);
    const dir = await cleanup.tempDir("notify-daemon");
    remote = await createGitRemote(dir, {
      "noisy.ts": noisy(receiver.url),
      "fine.ts": fine(receiver.url),
      "late.ts": late(receiver.url),
    });
    const tokenFile = path.join(dir, "api-token");
    await writeFile(tokenFile, SECRET);
    daemon = await startTestDaemon(cleanup, [
      ...["--repo", remote.bare, "--branch", "main", "--executor", "local"],
      ...["--public-url", PUBLIC_URL, "--api-token-file", tokenFile],
      ...["--notify-url", `${receiver.url}/daemon`, "--notify-on-sync-failure"],
      // The paused DAG's missed dates (one a second) keep the daemon's channel in digests.
      ...["--notify-digest-window", "1s"],
    ]);
    await daemon.waitForSync(await remote.head());
  });

  it("a failing task with a retry: one retry message, one failure to each failure channel, with its content", async () => {
    const sha = await remote.head();
    const run = await daemon.daemon.scheduler.trigger("noisy", {});
    const [failure] = await waitFor("the final failure on every failure channel", () => {
      const got = ["/fail", "/old", "/daemon"].map((route) => at(route).filter((n) => n.run === run.id));
      return got.every((list) => list.length > 0) ? got.flat() : undefined;
    });
    expect(at("/retry").map((n) => [n.id, n.event, n.try, n.state])).toEqual([
      [`retry:${run.id}:flaky:1`, "retry", 1, "up_for_retry"],
    ]);
    for (const route of ["/fail", "/old", "/daemon"])
      expect(
        at(route)
          .filter((n) => n.run === run.id)
          .map((n) => n.id),
      ).toEqual([`failure:${run.id}:flaky:2`]);
    expect(failure).toMatchObject({
      event: "failure",
      text: `updraft: task noisy.flaky failed in run ${run.id} (try 2): exit code 3`,
      dag: "noisy",
      run: run.id,
      task: "flaky",
      try: 2,
      state: "failed",
      reason: "exit code 3",
      commit: sha,
      logicalDate: run.logicalDate,
      runUrl: `${PUBLIC_URL}/runs/${encodeURIComponent(run.id)}`,
      logUrl: `${PUBLIC_URL}/runs/${encodeURIComponent(run.id)}/tasks/flaky/logs?try=2`,
      syncUrl: `${PUBLIC_URL}/syncs#sync-${sha.slice(0, 12)}`,
    });
    expect(failure?.logTail).toHaveLength(20);
    expect(failure?.logTail.slice(0, 2)).toEqual(["line 7", "line 8"]);
    expect(failure?.logTail.at(-1)).toBe("token ***");
    expect(JSON.stringify(receiver.received)).not.toContain(SECRET);
    expect(at("/never")).toEqual([]);
  });

  it("a run that succeeds: one message to the DAG's onSuccess, none to its onFailure", async () => {
    const run = await daemon.daemon.scheduler.trigger("fine", {});
    const [ok] = await waitFor("the success message", () => (at("/ok").length > 0 ? at("/ok") : undefined));
    expect(ok).toMatchObject({
      id: `success:${run.id}`,
      event: "success",
      run: run.id,
      state: "success",
      runUrl: `${PUBLIC_URL}/runs/${encodeURIComponent(run.id)}`,
    });
    expect(at("/ok")).toHaveLength(1);
    expect(at("/fail-fine")).toEqual([]);
  });

  it("a paused DAG gets one missed-schedule message per missed logical date, on its channel and the daemon's", async () => {
    const missed = await waitFor("3 missed dates", () =>
      at("/missed").length >= 3 ? at("/missed") : undefined,
    );
    const dates = missed.map((n) => n.logicalDate);
    expect(new Set(dates).size).toBe(dates.length);
    for (const n of missed) {
      expect(n).toMatchObject({
        event: "missed_schedule",
        dag: "late",
        state: "missed",
        kind: "start",
        count: 1,
      });
      expect(n.id).toBe(`missed:late:${n.logicalDate}:start`);
      expect(n.reason).toBe(`no run started within 1s of ${n.logicalDate} (DAG paused)`);
    }
    await waitFor("the same dates on --notify-url", () => {
      const daemonDates = new Set(
        at("/daemon")
          .filter((n) => n.dag === "late")
          .map((n) => n.logicalDate),
      );
      return dates.every((date) => daemonDates.has(date)) ? true : undefined;
    });
  });

  it("a push of a broken DAG is told with --notify-on-sync-failure, naming the commit and file:line", async () => {
    const broken = throwingModule("fine", "settings are not ready");
    const sha = await remote.change("break fine", { "fine.ts": broken.text });
    const [told] = await waitFor("the sync failure", () => {
      const found = at("/daemon").filter((n) => n.event === "sync_failure");
      return found.length > 0 ? found : undefined;
    });
    expect(told).toMatchObject({
      id: `sync:${sha}`,
      commit: sha,
      state: "import_error",
      syncUrl: `${PUBLIC_URL}/syncs#sync-${sha.slice(0, 12)}`,
    });
    expect(told?.text).toMatch(
      new RegExp(
        `^updraft: commit ${sha.slice(0, 12)} failed to load: 1 import error, the first at fine\\.ts:${broken.line}: `,
      ),
    );
  });
});
