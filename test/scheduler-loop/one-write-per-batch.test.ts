// A batch of executor events that ends a try is stored in ONE durable write together with the
// advance it allows (the next try queued, the run finished): a burst of Pods ending used to cost
// two writes per batch, each finding the changed entries among every active run.
import { describe, expect, it } from "vitest";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { recordingWriter } from "../support/recording-writer.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { activeStateOnDisk } from "../support/active-state-on-disk.ts";
import { schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";
import { chain, chainKey, triggeredChain } from "./support/chain-run.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z");

const key = chainKey;

describe("executor events", () => {
  it("store a try's end and the next try it queues in one write, before the next start", async () => {
    const writer = recordingWriter();
    const stateDir = await cleanup.tempDir("one-write");
    const h = await schedulerHarness({ stateDir, dags: [chain], writer });
    harnesses.push(h);
    await h.start();
    const run = await h.scheduler.trigger("chain", {});
    await h.settle();
    h.executor.running(key(run.id, "a"));
    h.executor.running(key(run.id, "c"));
    await h.settle();

    const appendsBefore = writer.appended.length;
    const wholeBefore = writer.written.length;
    // b's start reads the state on disk: its queued try must be there already.
    let onDiskAtStart: unknown;
    const start = h.executor.start.bind(h.executor);
    h.executor.start = async (launch) => {
      const onDisk = await activeStateOnDisk<{ runs: Record<string, Run> }>(stateDir);
      onDiskAtStart ??= onDisk.runs[run.id]?.tasks.map((t) => [t.id, t.state]);
      return start(launch);
    };
    h.executor.finish(key(run.id, "a"));
    await h.settle();

    expect(writer.appended.length + writer.written.length - appendsBefore - wholeBefore).toBe(1);
    expect(h.executor.startedKeys().map((k) => k.taskId)).toEqual(["a", "c", "b"]);
    expect(onDiskAtStart).toEqual([
      ["a", "success"],
      ["b", "queued"],
      ["c", "running"],
    ]);
  });

  it("apply nothing of a refused write, and apply the whole batch again once the disk takes it", async () => {
    const writer = new FailingStateWriter();
    const { h, run } = await triggeredChain(cleanup, harnesses, "one-write-refused", writer);
    writer.fail("ENOSPC");
    h.executor.finish(key(run.id, "a"));
    await h.settle();
    // Refused: a is not stored as done, and b was not started.
    expect(h.run(run.id).tasks.find((t) => t.id === "a")?.state).toBe("queued");
    expect(h.executor.startedKeys().map((k) => k.taskId)).toEqual(["a", "c"]);

    writer.succeed();
    await h.advance(5_000);
    expect(h.run(run.id).tasks.map((t) => [t.id, t.state])).toEqual([
      ["a", "success"],
      ["b", "queued"],
      ["c", "queued"],
    ]);
    expect(h.executor.startedKeys().map((k) => k.taskId)).toEqual(["a", "c", "b"]);
  });
});
