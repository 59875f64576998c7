// Notifications from the scheduler's events (issue #16 points 1-2): one per task whose last try
// failed, one per try that will be retried, a run's success to the DAG's onSuccess, a task's to
// its own; enqueueing never holds up scheduling.
import { beforeEach, describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import type { NotificationSink } from "../../src/notify/notification.ts";
import { Cleanup } from "../support/cleanup.ts";
import { dag, type HarnessOptions, PUBLIC_URL, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

const cleanup = new Cleanup();

describe("notifications from the scheduler", () => {
  const ON_FAILURE = "https://hooks.example.test/services/T0/B0/secret";
  const { harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z", { cleanup });
  let stuck: Array<string>;

  beforeEach(() => {
    stuck = [];
  });

  const started = async (options: Partial<HarnessOptions>) => {
    const harness = await schedulerHarness({
      stateDir: await cleanup.tempDir("notify"),
      dags: [dag("notifying", { retries: 1, retryDelay: "10s", onFailure: { url: ON_FAILURE } })],
      ...options,
    });
    harnesses.push(harness);
    await harness.start();
    return harness;
  };
  const key = (runId: string, tryNumber: number): TaskKey => ({
    dagId: "notifying",
    runId,
    taskId: "only",
    try: tryNumber,
  });
  const runLink = (runId: string) => `${PUBLIC_URL}/runs/${encodeURIComponent(runId)}`;

  it("enqueues one failure for the DAG's onFailure URL (also --notify-url, once) when a task fails for good", async () => {
    const h = await started({ notifyUrl: ON_FAILURE });
    const run = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(run.id, 1));
    await h.settle();
    await h.notifications.settled();
    expect(h.notifications.sent).toEqual([]);

    await h.advance(10_000);
    expect(h.executor.startedKeys()).toEqual([key(run.id, 1), key(run.id, 2)]);
    h.executor.fail(key(run.id, 2), 7);
    await h.settle();
    await h.notifications.settled();
    expect(h.run(run.id).state).toBe("failed");
    expect(h.notifications.sent).toEqual([
      {
        channels: [{ type: "webhook", url: ON_FAILURE }],
        notification: {
          id: `failure:${run.id}:only:2`,
          event: "failure",
          title: `updraft: task notifying.only failed in run ${run.id} (try 2): exit code 7`,
          at: expect.any(String),
          dag: "notifying",
          run: run.id,
          task: "only",
          try: 2,
          state: "failed",
          reason: "exit code 7",
          commit: null,
          logicalDate: run.logicalDate,
          logTail: [],
          links: { run: runLink(run.id), log: `${runLink(run.id)}/tasks/only/logs?try=2`, sync: null },
        },
      },
    ]);
  });

  it("tells onRetry of a try that will be retried, and onSuccess of the run (nothing to onFailure)", async () => {
    const notify = {
      onRetry: [{ webhook: "https://h.example/retry" }],
      onSuccess: [{ webhook: "https://h.example/ok" }],
    };
    const h = await started({ dags: [dag("notifying", { retries: 1, retryDelay: "10s", notify })] });
    const run = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(run.id, 1));
    await h.settle();
    await h.advance(10_000);
    h.executor.finish(key(run.id, 2));
    await h.settle();
    await h.notifications.settled();
    expect(h.run(run.id).state).toBe("success");
    expect(
      h.notifications.sent.map(({ channels, notification }) => [
        channels,
        notification.id,
        notification.title,
      ]),
    ).toEqual([
      [
        [{ type: "webhook", url: "https://h.example/retry" }],
        `retry:${run.id}:only:1`,
        `updraft: task notifying.only failed in run ${run.id} (try 1), will be retried: exit code 1`,
      ],
      [
        [{ type: "webhook", url: "https://h.example/ok" }],
        `success:${run.id}`,
        `updraft: run ${run.id} of DAG notifying succeeded`,
      ],
    ]);
  });

  it("enqueues nothing for a failed try that is retried and then succeeds, without onRetry/onSuccess", async () => {
    const h = await started({});
    const run = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(run.id, 1));
    await h.settle();
    await h.advance(10_000);
    h.executor.finish(key(run.id, 2));
    await h.settle();
    await h.notifications.settled();
    expect(h.run(run.id).state).toBe("success");
    expect(h.notifications.sent).toEqual([]);
  });

  it("keeps scheduling while the outbox never answers", async () => {
    const hanging: NotificationSink = {
      enqueue: (channels) => {
        stuck.push(...channels.map((channel) => (channel.type === "email" ? "" : channel.url)));
        return new Promise<void>(() => {});
      },
    };
    const h = await started({ sink: hanging, dags: [dag("notifying", { onFailure: { url: ON_FAILURE } })] });
    const first = await h.scheduler.trigger("notifying", {});
    await h.settle();
    h.executor.fail(key(first.id, 1));
    await h.settle();
    expect(h.run(first.id).state).toBe("failed");
    expect(stuck).toEqual([ON_FAILURE]);

    await h.advance(1_000);
    const second = await h.scheduler.trigger("notifying", {});
    await h.settle();
    expect(h.executor.startedKeys()).toEqual([key(first.id, 1), key(second.id, 1)]);
  });
});
