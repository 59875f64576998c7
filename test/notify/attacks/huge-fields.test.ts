// Attack on #16 points 2-3: a DAG module that throws a 2 MB message, or a try whose reason is
// huge, must not make a notification too big to store: the outbox reads back only records of up
// to 1 MB after a restart, so an unbounded one would be set aside as corrupt and never sent.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDaemonEvents } from "../../../src/events/daemon-events.ts";
import type { Notification } from "../../../src/notify/notification.ts";
import { notifyOnEvents } from "../../../src/notify/notify-events.ts";
import { createOutbox } from "../../../src/notify/outbox/outbox.ts";
import type { Run, TaskInstance } from "../../../src/runs/run-model.ts";
import { SecretMask } from "../../../src/secrets/secret-mask.ts";
import { pageLinks } from "../../../src/server/page/page-links.ts";
import type { SyncRecord } from "../../../src/sync/sync-status.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { capturedLog } from "../outbox/support/notifications.ts";

const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const HUGE = `boom ${"x".repeat(2 * 1024 * 1024)} hunter2-secret-tail`;

describe("notifications with huge fields", () => {
  const cleanup = useCleanup();

  it("are cut to a bounded size (after masking), so the outbox keeps them across a restart", async () => {
    const dir = path.join(await cleanup.tempDir("state"), "outbox");
    const { log, lines } = capturedLog();
    const sent: Notification[] = [];
    const sender = {
      send: async (d: { notifications: readonly Notification[] }) => void sent.push(...d.notifications),
    };
    const first = createOutbox({ dir, sender, log });
    const events = createDaemonEvents();
    const run = {
      id: "etl__manual__1",
      dagId: "etl",
      state: "failed",
      logicalDate: "2026-12-05T06:00:00.000Z",
      commit: SHA,
    } as Run;
    const task = {
      id: "load",
      state: "failed",
      try: 1,
      reason: HUGE,
      endedAt: "2026-12-05T06:10:00.000Z",
    } as TaskInstance;
    const notifying = notifyOnEvents(events, {
      sink: first,
      daemon: {
        defaults: [{ type: "webhook", url: "http://127.0.0.1:9/hook" }],
        onSyncFailure: true,
        commitAuthor: false,
      },
      links: pageLinks(() => "https://updraft.example"),
      mask: new SecretMask(["hunter2-secret-tail"]),
      log,
      definitionOf: () => undefined,
      logFile: () => "",
      now: () => new Date("2026-12-05T06:00:01.000Z"),
    });
    const record: SyncRecord = {
      at: "2026-12-05T06:00:00.000Z",
      sha: SHA,
      previousSha: null,
      ok: true,
      error: null,
      durationMs: 3,
      changes: { added: [], updated: [], removed: [] },
      loaded: { dags: 0, importErrors: 1, firstError: { file: "a.ts", line: 1, message: HUGE } },
    };
    events.emit("sync:applied", record);
    events.emit("try:finished", { run, task, durationMs: 1 });
    await notifying.settled();
    expect(first.pendingCount()).toBe(2);

    // The daemon restarts before sending: both messages are read back and sent.
    const second = createOutbox({ dir, sender, log });
    await second.start();
    cleanup.defer(() => second.stop());
    await waitFor("both sent after the restart", () => (sent.length >= 2 ? true : undefined), {
      details: () => lines.join("\n"),
    });
    for (const n of sent) {
      expect(JSON.stringify(n).length).toBeLessThan(64 * 1024);
      expect(JSON.stringify(n)).not.toContain("hunter2");
    }
  });
});
