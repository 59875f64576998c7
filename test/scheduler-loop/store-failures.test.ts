// Issue 11 point 8: the scheduler over a store whose writes fail for a while (a full disk).
import { describe, expect, it } from "vitest";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { dag, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

const { cleanup, harnesses } = useSchedulerLoop("2026-05-01T10:00:00.000Z");
const MAX_SLEEP_MS = 5000;

/** A started scheduler with one manual DAG over a store whose writes the test can make fail. */
async function startedOverFailingWriter() {
  const writer = new FailingStateWriter();
  const h = await schedulerHarness({
    stateDir: await cleanup.tempDir("store-failures"),
    dags: [dag("manual", { schedule: null, tasks: [pod("only")] })],
    writer,
    maxSleepMs: MAX_SLEEP_MS,
  });
  harnesses.push(h);
  await h.start();
  return { writer, h };
}

describe("a store that cannot write for a while", () => {
  it("keeps a task outcome that arrived during the failure and applies it once writes succeed, with no API call", async () => {
    const { writer, h } = await startedOverFailingWriter();
    const run = await h.scheduler.trigger("manual", {});
    await h.settle();
    const key = { dagId: "manual", runId: run.id, taskId: "only", try: 1 };
    expect(h.executor.startedKeys()).toEqual([key]);

    writer.fail("ENOSPC");
    h.executor.finish(key);
    await h.advance(MAX_SLEEP_MS);
    expect(h.run(run.id).state).toBe("running");
    expect(h.store.writeError?.message).toContain("ENOSPC");

    writer.succeed();
    await h.advance(MAX_SLEEP_MS);
    expect(h.store.writeError).toBeUndefined();
    expect(h.run(run.id).state).toBe("success");
    expect(h.run(run.id).tasks.map((t) => [t.id, t.state, t.try])).toEqual([["only", "success", 1]]);
  });

  it("a trigger refused by the store leaves no run, also after writes succeed again", async () => {
    const { writer, h } = await startedOverFailingWriter();
    writer.fail("ENOSPC");
    await expect(h.scheduler.trigger("manual", {})).rejects.toMatchObject({ code: "ENOSPC" });
    expect(h.runsOf("manual")).toEqual([]);
    writer.succeed();
    await h.advance(3 * MAX_SLEEP_MS);
    expect(h.runsOf("manual")).toEqual([]);
    expect(h.executor.starts).toEqual([]);
  });
});
