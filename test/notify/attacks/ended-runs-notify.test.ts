// Attack on #16 point 1 (CONTRACT: onFailure, one message per task whose last try failed): a run
// stopped by its runTimeout fails its running tasks without a try:finished event, so nothing was
// told; a hung job is what an operator most needs to hear of. Each such task is told once, also
// when the executor reports the cancelled try's end afterwards.
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../../src/executor/executor.ts";
import { Cleanup } from "../../support/cleanup.ts";
import { dag, pod, schedulerHarness } from "../../scheduler-loop/harness.ts";
import { useSchedulerLoop } from "../../scheduler-loop/loop-fixture.ts";

const cleanup = new Cleanup();
const HOOK = "https://hooks.example.test/services/T0/B0/secret";

describe("a run that ends without its tries finishing", () => {
  const { harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z", { cleanup });

  it("runTimeout: one failure per task it failed, with the timeout as the reason", async () => {
    const h = await schedulerHarness({
      stateDir: await cleanup.tempDir("notify-timeout"),
      dags: [
        dag("hung", {
          runTimeout: "1m",
          notify: { onFailure: [{ webhook: HOOK }] },
          tasks: [pod("a"), pod("b"), pod("c", { dependsOn: ["a"] })],
        }),
      ],
    });
    harnesses.push(h);
    await h.start();
    const run = await h.scheduler.trigger("hung", {});
    await h.settle();
    await h.advance(61_000);
    expect(h.run(run.id).state).toBe("failed");
    // The executor reports the cancelled tries' ends afterwards: nothing more is told.
    const key = (taskId: string): TaskKey => ({ dagId: "hung", runId: run.id, taskId, try: 1 });
    h.executor.fail(key("a"), 143);
    h.executor.fail(key("b"), 143);
    await h.settle();
    await h.notifications.settled();
    // Each task's message is built on its own (its log tail read), so they may be queued in any order.
    expect(
      h.notifications.sent
        .map(({ channels, notification: n }) => [channels.length, n.id, n.reason])
        .sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
    ).toEqual([
      [1, `failure:${run.id}:a:1`, "run timed out after 1m"],
      [1, `failure:${run.id}:b:1`, "run timed out after 1m"],
    ]);
  });

  it("a task failed before it starts (a template error): one failure, not one more when the run ends", async () => {
    const h = await schedulerHarness({
      stateDir: await cleanup.tempDir("notify-template"),
      dags: [
        dag("broken", {
          notify: { onFailure: [{ webhook: HOOK }] },
          tasks: [pod("a", { command: ["echo", "{{ no_such_name }}"] })],
        }),
      ],
    });
    harnesses.push(h);
    await h.start();
    const run = await h.scheduler.trigger("broken", {});
    await h.settle();
    await h.notifications.settled();
    expect(h.run(run.id).state).toBe("failed");
    expect(h.notifications.sent.map(({ notification: n }) => [n.id, n.reason?.slice(0, 15)])).toEqual([
      [`failure:${run.id}:a:1`, "template error:"],
    ]);
  });
});
