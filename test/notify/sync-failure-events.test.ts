// Issue #16 point 1: a commit that fails to load is told to the daemon-wide channels only with
// --notify-on-sync-failure, and with --notify-commit-author also emailed to its author.
import { describe, expect, it } from "vitest";
import { createDaemonEvents } from "../../src/events/daemon-events.ts";
import { createLogger } from "../../src/log/logger.ts";
import type { Channel, Notification } from "../../src/notify/notification.ts";
import { notifyOnEvents } from "../../src/notify/notify-events.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { pageLinks } from "../../src/server/page/page-links.ts";
import type { SyncRecord } from "../../src/sync/sync-status.ts";

const SHA = "abcdef0123456789abcdef0123456789abcdef01";
const record = (loaded: SyncRecord["loaded"], ok = true): SyncRecord => ({
  at: "2026-12-05T06:00:00.000Z",
  sha: SHA,
  previousSha: null,
  ok,
  error: ok ? null : "load failed",
  durationMs: 3,
  changes: { added: [], updated: [], removed: [] },
  ...(loaded ? { loaded } : {}),
});
const broken = { dags: 0, importErrors: 1, firstError: { file: "a.ts", line: 4, message: "boom" } };

function setUp(
  onSyncFailure: boolean,
  commitAuthor: boolean,
  enqueueFails = false,
  author = "Author@X.example",
) {
  const events = createDaemonEvents();
  const sent: Array<{ channels: Channel[]; notification: Notification }> = [];
  const notifying = notifyOnEvents(events, {
    sink: {
      enqueue: async (channels, notification) => {
        if (enqueueFails) throw new Error("disk full");
        sent.push({ channels: [...channels], notification });
      },
    },
    daemon: { defaults: [{ type: "webhook", url: "http://h.example/daemon" }], onSyncFailure, commitAuthor },
    links: pageLinks(() => "http://u.example"),
    mask: new SecretMask(),
    log: createLogger({ secrets: [], level: "silent" }),
    definitionOf: () => undefined,
    logFile: () => "",
    authorEmail: async (sha) => (sha === SHA ? author : undefined),
    now: () => new Date("2026-12-05T06:00:01.000Z"),
  });
  return { events, sent, notifying };
}

describe("sync failure notifications", () => {
  it("are sent only with --notify-on-sync-failure, for import errors and failed loads, not for clean syncs", async () => {
    const off = setUp(false, false);
    off.events.emit("sync:applied", record(broken));
    await off.notifying.settled();
    expect(off.sent).toEqual([]);

    const on = setUp(true, false);
    on.events.emit("sync:applied", record({ dags: 2, importErrors: 0, firstError: null }));
    on.events.emit("sync:applied", record(broken));
    on.events.emit("sync:failed", record(undefined, false));
    await on.notifying.settled();
    expect(on.sent.map(({ channels, notification }) => [channels, notification.title])).toEqual([
      [
        [{ type: "webhook", url: "http://h.example/daemon" }],
        "updraft: commit abcdef012345 failed to load: 1 import error, the first at a.ts:4: boom",
      ],
      [
        [{ type: "webhook", url: "http://h.example/daemon" }],
        "updraft: commit abcdef012345 failed to load: load failed",
      ],
    ]);
  });

  it("with --notify-commit-author also go to the commit's author by email", async () => {
    const { events, sent, notifying } = setUp(true, true);
    events.emit("sync:applied", record(broken));
    await notifying.settled();
    expect(sent[0]?.channels).toEqual([
      { type: "webhook", url: "http://h.example/daemon" },
      { type: "email", to: ["author@x.example"] },
    ]);
  });

  it("a commit author's email that is not one address (git takes almost anything) is not mailed", async () => {
    for (const author of [
      "dev@x.example, everyone@corp.example",
      "dev@x.example\r\nBcc: everyone@corp.example",
      "not an address",
      "Dev <dev@x.example>",
    ]) {
      const { events, sent, notifying } = setUp(true, true, false, author);
      events.emit("sync:applied", record(broken));
      await notifying.settled();
      expect(sent[0]?.channels, author).toEqual([{ type: "webhook", url: "http://h.example/daemon" }]);
    }
  });

  it("an outbox that cannot store them is logged, never thrown into the emitter", async () => {
    const { events, notifying } = setUp(true, false, true);
    expect(() => events.emit("sync:applied", record(broken))).not.toThrow();
    await expect(notifying.settled()).resolves.toBeUndefined();
  });
});
