// Issue #15 point 7 in a daemon with the local executor: a scheduled run not started within
// `expectedWithin` (the DAG is paused) is notified on the DAG's failure channels, counted in
// /metrics and marked on the status page and in /api/dags, until a later scheduled run starts.
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { webhookReceiver } from "../support/webhook-receiver.ts";

const cleanup = useCleanup();

describe("expectedWithin (local executor)", () => {
  it("a paused every-second DAG is alerted to onFailure and --notify-url, counted, and marked until it runs again", async () => {
    const receiver = await webhookReceiver(cleanup);
    const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "late", schedule: "* * * * * *", expectedWithin: "2s", pausedOnCreation: true,
  onFailure: { url: "${receiver.url}/dag" },
  tasks: [pod({ id: "quick", image: "busybox", command: ["true"] })] });
`;
    const { dagsDir } = await daemonFolders(cleanup, "missed-schedules", { "late.ts": DAG });
    const daemon = await startTestDaemon(cleanup, [
      "--dags",
      dagsDir,
      "--executor",
      "local",
      "--notify-url",
      `${receiver.url}/daemon`,
    ]);
    const posts = await waitFor("a missed-schedule message on both channels", () => {
      const paths = new Set(receiver.received.map((post) => post.path));
      return paths.has("/dag") && paths.has("/daemon") ? receiver.received : undefined;
    });
    const first = posts[0]?.body as Record<string, unknown>;
    // Round 1's body fields are all still there (issue #16 adds more); one message per logical date.
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining(["text", "dag", "logicalDate", "kind", "reason", "count"]),
    );
    expect(first).toMatchObject({ dag: "late", kind: "start", count: 1, event: "missed_schedule" });
    expect(first.text).toMatch(
      /^updraft: DAG "late" missed its \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC schedule: no run started within 2s \(DAG paused\)$/,
    );
    expect(first.reason).toBe(`no run started within 2s of ${String(first.logicalDate)} (DAG paused)`);
    // One message per logical date and channel: no date is posted twice to the same path.
    const keys = receiver.received.map(
      (post) => `${post.path} ${(post.body as { logicalDate: string }).logicalDate}`,
    );
    expect(new Set(keys).size).toBe(keys.length);

    const metrics = (await daemon.request("/metrics")).text;
    const counted = /^updraft_missed_schedules_total\{dag="late"\} (\d+)$/m.exec(metrics);
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(1);

    const summary = (await daemon.dags()).find((dag) => dag.id === "late");
    expect(summary?.missedSchedule).toMatchObject({
      kind: "start",
      reason: expect.stringContaining("(DAG paused)"),
    });
    expect((await daemon.dag("late")).missedSchedule).toMatchObject({ kind: "start" });
    const page = (await daemon.request("/")).text;
    expect(page).toMatch(
      /<span class="tag missed" title="missed [^"]+: no run started within 2s of [^"]+ \(DAG paused\)"\s*>missed schedule<\/span/,
    );

    // Unpaused, the DAG runs again: once a later scheduled run started, the mark is gone.
    expect((await daemon.request("/api/dags/late/unpause", { method: "POST" })).status).toBe(200);
    await waitFor("the missed-schedule mark to clear", async () =>
      (await daemon.dag("late")).missedSchedule === null ? true : undefined,
    );
    expect((await daemon.request("/")).text).not.toContain('class="tag missed"');
  });
});
