// After a restart the daemon tells again what recently ended runs should have told. What the
// outbox already queued or sent is skipped before anything is read: no log tail per known message
// (a restart after a busy quarter hour would otherwise read thousands of logs for nothing).
import { describe, expect, it } from "vitest";
import { createDaemonEvents } from "../../src/events/daemon-events.ts";
import { createLogger } from "../../src/log/logger.ts";
import { type Channel, channelKey, type Notification } from "../../src/notify/notification.ts";
import { notifyOnEvents } from "../../src/notify/notify-events.ts";
import type { Run, TaskInstance } from "../../src/runs/run-model.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { pageLinks } from "../../src/server/page/page-links.ts";

const OLD: Channel = { type: "webhook", url: "http://127.0.0.1:9/old" };
const NEW: Channel = { type: "webhook", url: "http://127.0.0.1:9/new" };
const ENDED = "2026-12-05T06:10:00.000Z";

function endedRun(id: string, state: "failed" | "success"): Run {
  const task = {
    id: "load",
    state,
    try: 1,
    reason: state === "failed" ? "exit code 1" : null,
    endedAt: ENDED,
  };
  return {
    id,
    dagId: "etl",
    state,
    endedAt: ENDED,
    logicalDate: "2026-12-05T06:00:00.000Z",
    commit: null,
    tasks: [task as TaskInstance],
  } as Run;
}

function catchUpWith(known: (channel: Channel, id: string) => boolean) {
  const logsRead: string[] = [];
  const enqueued: Array<[string, string]> = [];
  const notifying = notifyOnEvents(createDaemonEvents(), {
    sink: {
      knows: known,
      async enqueue(channels: readonly Channel[], notification: Notification) {
        for (const channel of channels) enqueued.push([channelKey(channel), notification.id]);
      },
    },
    daemon: { defaults: [OLD, NEW], onSyncFailure: false, commitAuthor: false },
    links: pageLinks(() => "https://updraft.example"),
    mask: new SecretMask(),
    log: createLogger({ secrets: [], level: "silent" }),
    definitionOf: () => undefined,
    logFile: (run) => {
      logsRead.push(run.id);
      return "/nonexistent/try-1.log";
    },
    now: () => new Date("2026-12-05T06:12:00.000Z"),
  });
  notifying.catchUp([endedRun("r1", "failed"), endedRun("r2", "failed")], Date.parse(ENDED) - 60_000);
  return { notifying, logsRead, enqueued };
}

describe("the catch-up after a restart", () => {
  it("reads no log and enqueues nothing for failures every channel already has", async () => {
    const { notifying, logsRead, enqueued } = catchUpWith(() => true);
    await notifying.settled();
    expect(logsRead).toEqual([]);
    expect(enqueued).toEqual([]);
  });

  it("tells only the channels that lack a notification", async () => {
    const { notifying, logsRead, enqueued } = catchUpWith(
      (channel, id) => channelKey(channel) === channelKey(OLD) || id === "failure:r2:load:1",
    );
    await notifying.settled();
    expect(logsRead).toEqual(["r1"]);
    expect(enqueued).toEqual([[channelKey(NEW), "failure:r1:load:1"]]);
  });
});
