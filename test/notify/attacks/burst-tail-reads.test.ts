// Attack on #16 points 2-3: thousands of tasks failing at once. Each failure reads its log tail
// (up to 64 KB) and writes to the outbox; started all at once that is thousands of open files and
// buffers (EMFILE turns tails silently empty; memory grows with the burst). A few at a time.
import { describe, expect, it } from "vitest";
import { createDaemonEvents } from "../../../src/events/daemon-events.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { notifyOnEvents } from "../../../src/notify/notify-events.ts";
import type { Run, TaskInstance } from "../../../src/runs/run-model.ts";
import { SecretMask } from "../../../src/secrets/secret-mask.ts";
import { pageLinks } from "../../../src/server/page/page-links.ts";
import { waitFor } from "../../support/wait-for.ts";

describe("a burst of failures", () => {
  it("reads log tails and enqueues a few at a time, however many fail at once", async () => {
    const events = createDaemonEvents();
    const tailsAsked: string[] = [];
    const waiting: Array<() => void> = [];
    const notifying = notifyOnEvents(events, {
      // A slow disk: each enqueue waits until the test lets it go.
      sink: { enqueue: () => new Promise<void>((resolve) => waiting.push(resolve)) },
      daemon: {
        defaults: [{ type: "webhook", url: "http://127.0.0.1:9/hook" }],
        onSyncFailure: false,
        commitAuthor: false,
      },
      links: pageLinks(() => "https://updraft.example"),
      mask: new SecretMask(),
      log: createLogger({ secrets: [], level: "silent" }),
      definitionOf: () => undefined,
      logFile: (run) => {
        tailsAsked.push(run.id);
        return "/nonexistent/try-1.log";
      },
      now: () => new Date("2026-12-05T06:00:01.000Z"),
    });
    for (let i = 0; i < 1000; i++) {
      const run = {
        id: `etl__manual__${i}`,
        dagId: "etl",
        state: "running",
        logicalDate: "2026-12-05T06:00:00.000Z",
        commit: null,
      } as Run;
      const task = {
        id: "load",
        state: "failed",
        try: 1,
        reason: "exit code 1",
        endedAt: null,
      } as TaskInstance;
      events.emit("try:finished", { run, task, durationMs: 1 });
    }
    // Let every job that may start start: each reads its tail (a real file read, slower on a
    // loaded machine) and then waits on its enqueue.
    await waitFor("the first jobs to reach their enqueue", () =>
      waiting.length > 0 && waiting.length === tailsAsked.length ? true : undefined,
    );
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(tailsAsked.length).toBeLessThanOrEqual(8);
    expect(waiting.length).toBe(tailsAsked.length);
    // As enqueues finish, the rest follow; all 1000 get through.
    // (The last jobs enqueue after their tail is read: keep letting enqueues go until all settled.)
    let settled = false;
    const all = notifying.settled().then(() => (settled = true));
    while (!settled) {
      waiting.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await all;
    expect(new Set(tailsAsked).size).toBe(1000);
  });
});
