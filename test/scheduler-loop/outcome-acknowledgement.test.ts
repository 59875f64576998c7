// The scheduler acknowledges ended tries to the executor (`Executor.stored`) once the write holding
// their outcomes is durable, never before and never for a refused write: the Kubernetes executor
// deletes a finished Pod only then, so a crash finds the outcome in state or the Pod to adopt.
import { describe, expect, it, vi } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { type Harness, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";
import { chain, chainKey, triggeredChain } from "./support/chain-run.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T10:00:30.000Z");

const key = chainKey;

/** The keys of every `stored` call the scheduler makes, one list per call. */
function acknowledgements(h: Harness): string[][] {
  const calls: string[][] = [];
  Object.assign(h.executor, {
    stored: (keys: readonly TaskKey[]) => calls.push(keys.map((k) => `${k.taskId}/${k.try}`)),
  });
  return calls;
}

/** The real writer, whose writes wait while `held` is set (a slow disk). */
function holdingWriter(): StateWriter & { held?: Promise<void>; waiting: number } {
  const hold = async () => {
    if (!writer.held) return;
    writer.waiting++;
    await writer.held;
  };
  const writer: StateWriter & { held?: Promise<void>; waiting: number } = {
    waiting: 0,
    write: async (file, text) => (await hold(), durableStateWriter.write(file, text)),
    append: async (file, text) => (await hold(), durableStateWriter.append?.(file, text)),
  };
  return writer;
}

describe("the acknowledgement of stored outcomes", () => {
  it("acknowledges every ended try of a batch once its write is durable, not before, and no running try", async () => {
    const writer = holdingWriter();
    const h = await schedulerHarness({ stateDir: await cleanup.tempDir("ack"), dags: [chain], writer });
    harnesses.push(h);
    await h.start();
    const run = await h.scheduler.trigger("chain", {});
    await h.settle();
    h.executor.running(key(run.id, "a"));
    await h.settle();
    const acks = acknowledgements(h);

    let release: () => void = () => undefined;
    writer.held = new Promise((resolve) => (release = resolve));
    h.executor.finish(key(run.id, "a"));
    h.executor.running(key(run.id, "c"));
    // A try state no longer expects (a run removed, say): its Pod is not needed either.
    h.executor.fail({ dagId: "chain", runId: "gone", taskId: "x", try: 1 });
    try {
      for (let turn = 0; turn < 20 && writer.waiting === 0; turn++) await vi.advanceTimersByTimeAsync(0);
      expect(writer.waiting, "the batch's write is under way").toBe(1);
      // Applied in memory (readers see it), not yet on disk: nothing is acknowledged.
      expect(h.run(run.id).tasks.find((t) => t.id === "a")?.state).toBe("success");
      expect(acks).toEqual([]);
    } finally {
      writer.held = undefined;
      release();
    }
    await h.settle();
    expect(acks).toEqual([["a/1", "x/1"]]);
  });

  it("acknowledges nothing of a refused write, and the batch once the disk takes it", async () => {
    const writer = new FailingStateWriter();
    const { h, run } = await triggeredChain(cleanup, harnesses, "ack-refused", writer);
    const acks = acknowledgements(h);
    writer.fail("ENOSPC");
    h.executor.finish(key(run.id, "a"));
    h.executor.fail(key(run.id, "c"));
    await h.settle();
    expect(writer.refused).toBeGreaterThan(0);
    expect(acks).toEqual([]);

    writer.succeed();
    await h.advance(5_000);
    expect(h.run(run.id).tasks.map((t) => [t.id, t.state])).toEqual([
      ["a", "success"],
      ["b", "queued"],
      ["c", "failed"],
    ]);
    expect(acks).toEqual([["a/1", "c/1"]]);
  });
});
