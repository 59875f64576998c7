// Attacks on the acknowledgement of stored outcomes (`Executor.stored`, attack6).
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { dag, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z");

const key = (runId: string, taskId: string): TaskKey => ({ dagId: "chain", runId, taskId, try: 1 });
const chain = dag("chain", { tasks: [pod("a"), pod("b", { dependsOn: ["a"] })] });

describe("the acknowledgement of stored outcomes (attacks)", () => {
  it("an executor whose `stored` throws costs the Pod cleanup only: the stored outcome still advances the run", async () => {
    const h = await schedulerHarness({ stateDir: await cleanup.tempDir("ack-throws"), dags: [chain] });
    harnesses.push(h);
    await h.start();
    const run = await h.scheduler.trigger("chain", {});
    await h.settle();
    let calls = 0;
    Object.assign(h.executor, {
      stored: () => {
        calls++;
        throw new Error("the executor's bookkeeping broke");
      },
    });
    h.executor.running(key(run.id, "a"));
    h.executor.finish(key(run.id, "a"));
    await h.settle();
    expect(calls).toBe(1);
    // The write is durable: b, which waited on a, is started as if nothing had thrown.
    expect(h.run(run.id).tasks.find((t) => t.id === "a")?.state).toBe("success");
    expect(h.executor.startedKeys().map((k) => k.taskId)).toEqual(["a", "b"]);
  });
});
