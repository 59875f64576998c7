// Issue #16 point 3, the crash gap: a daemon killed after storing a try's failure but before its
// message reached the outbox would have lost it. At start the daemon tells again what runs that
// ended in the last minutes should have told; the outbox drops what it already queued or sent.
import { rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { webhookReceiver } from "../support/webhook-receiver.ts";

const failing = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "breaks", schedule: null,
  notify: { onFailure: [{ webhook: "${url}/fail" }] },
  tasks: [pod({ id: "boom", image: "busybox", command: ["sh", "-c", "echo broken; exit 4"] })] });
`;

describe("notifications a crash kept from the outbox", () => {
  const cleanup = useCleanup("file");

  it("are sent after the restart, once", async () => {
    const receiver = await webhookReceiver(cleanup);
    const { dagsDir } = await daemonFolders(cleanup, "notify-catch-up", {
      "breaks.ts": failing(receiver.url),
    });
    const stateDir = await cleanup.tempDir("state");
    const args = ["--dags", dagsDir, "--executor", "local", "--state-dir", stateDir];
    const told = () => receiver.received.filter((post) => post.path === "/fail");

    const first = await startTestDaemon(cleanup, args);
    const run = await first.daemon.scheduler.trigger("breaks", {});
    await waitFor("the failure message", () => (told().length === 1 ? true : undefined));
    await first.stop();
    // As if the daemon had died between storing the failure and enqueueing its message.
    await rm(path.join(stateDir, "outbox"), { recursive: true, force: true });

    const second = await startTestDaemon(cleanup, args);
    await waitFor("the failure told again after the restart", () => (told().length === 2 ? true : undefined));
    expect(told()[1]?.body).toMatchObject({ id: `failure:${run.id}:boom:1`, event: "failure" });
    await second.stop();

    // The outbox remembers it now: a further restart does not send it a third time. A new failure
    // on the same channel comes after anything the restart queued (one channel, in order).
    const third = await startTestDaemon(cleanup, args);
    const next = await third.daemon.scheduler.trigger("breaks", {});
    await waitFor("the new run's failure", () =>
      told().some((post) => (post.body as { run?: string }).run === next.id) ? true : undefined,
    );
    expect(told().map((post) => (post.body as { id: string }).id)).toEqual([
      `failure:${run.id}:boom:1`,
      `failure:${run.id}:boom:1`,
      `failure:${next.id}:boom:1`,
    ]);
  });
});
