// Issue #16 point 3 across restarts of the real `updraft run`: a paused DAG's missed logical dates
// are told one message each; after a kill -9 and a restart on the same state dir, no date that was
// already told (and acknowledged) is told again, and the dates missed meanwhile are told.
import { describe, expect, it } from "vitest";
import type { WebhookDigestBody, WebhookNotificationBody } from "../../src/notify/channels/webhook-body.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { webhookReceiver } from "../support/webhook-receiver.ts";
import { POLL, startDaemonProcess } from "./support/daemon-process.ts";

const late = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "late", schedule: "*/2 * * * * *", expectedWithin: "1s", pausedOnCreation: true,
  notify: { onMissedSchedule: [{ webhook: "${url}/missed" }] },
  tasks: [pod({ id: "quick", image: "busybox", command: ["true"] })] });
`;

describe("missed schedules across a kill -9", () => {
  const cleanup = useCleanup("file");

  it("tells each missed logical date once, before and after the restart", async () => {
    const receiver = await webhookReceiver(cleanup);
    const ids = () =>
      receiver.received.flatMap((post) => {
        const body = post.body as WebhookNotificationBody | WebhookDigestBody;
        return body.event === "digest" ? body.notifications.map((n) => n.id) : [body.id];
      });
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "notify-dedupe", {
      "late.ts": late(receiver.url),
    });
    const options = { dagsDir, stateDir, extraArgs: ["--executor", "local", "--notify-digest-window", "1s"] };
    const first = await startDaemonProcess(cleanup, options);
    await waitFor("3 missed dates told", () => (ids().length >= 3 ? true : undefined), POLL);
    await first.kill9();
    const before = ids();
    // Down long enough for two ticks to be missed while nobody watches.
    await new Promise((resolve) => setTimeout(resolve, 4_500));

    const second = await startDaemonProcess(cleanup, options);
    await second.waitForDags(["late"]);
    await waitFor("3 more missed dates told after the restart", () =>
      ids().length >= before.length + 3 ? true : undefined,
    );
    const all = ids();
    const repeated = all.filter((id, index) => all.indexOf(id) !== index);
    expect(repeated, JSON.stringify(all, null, 1)).toEqual([]);
    for (const id of all) expect(id).toMatch(/^missed:late:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z:start$/);
    // None lost either: the dates missed while the daemon was down are told too, so the dates told
    // are every tick (2 s apart) from the first to the last.
    const dates = all.map((id) => Date.parse(id.slice("missed:late:".length, -":start".length))).sort();
    const gaps = dates
      .slice(1)
      .flatMap((date, i) => (date - (dates[i] ?? 0) === 2_000 ? [] : [new Date(date)]));
    expect(gaps, JSON.stringify(all, null, 1)).toEqual([]);
  }, 90_000);
});
