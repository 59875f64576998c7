// Issue 17 attack on executor events stored in ONE write with the advance they allow
// (src/scheduler/step-effects.ts applyEvents): odd batches (the same event twice, running, finished
// and failed for one try, events for a try no run has any more), a refused state write, a refused
// archive after the write held. A try's end and its run's end are each reported once, the try's
// first, whatever the disk did.
import { describe, expect, it } from "vitest";
import type { DaemonEvents } from "../../src/events/daemon-events.ts";
import type { TaskKey } from "../../src/executor/executor.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { dag, type Harness, type HarnessOptions, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

const loop = useSchedulerLoop("2026-05-01T10:00:30.000Z");

async function started(options: Partial<HarnessOptions> & Pick<HarnessOptions, "dags">): Promise<Harness> {
  const harness = await schedulerHarness({ stateDir: await loop.cleanup.tempDir("batch"), ...options });
  loop.harnesses.push(harness);
  await harness.start();
  return harness;
}

/** Every run and try end, as `event run [task state]` lines. */
function record(h: Harness): string[] {
  const seen: string[] = [];
  for (const name of ["try:finished", "run:finished"] as const)
    h.events.on(name, (payload: DaemonEvents[typeof name]) => {
      const task = "task" in payload ? ` ${payload.task.id} ${payload.task.state}` : "";
      seen.push(`${name} ${payload.run.id} ${payload.run.state}${task}`);
    });
  return seen;
}

const solo = dag("solo", { tasks: [pod("a")] });
const key = (runId: string, taskId = "a", tryNumber = 1): TaskKey => ({
  dagId: "solo",
  runId,
  taskId,
  try: tryNumber,
});

describe("a batch of executor events, attacked", () => {
  it("the same end twice, then a failure and a late 'running' for the same try: one end, reported once", async () => {
    const h = await started({ dags: [solo] });
    const run = await h.scheduler.trigger("solo", {});
    await h.settle();
    const seen = record(h);
    // One batch: the fake executor hands these to the scheduler before its inbox is drained.
    h.executor.running(key(run.id));
    h.executor.finish(key(run.id));
    h.executor.finish(key(run.id));
    h.executor.fail(key(run.id));
    h.executor.running(key(run.id));
    await h.settle();
    expect(h.run(run.id).tasks.map((task) => [task.id, task.state])).toEqual([["a", "success"]]);
    expect(seen).toEqual([`try:finished ${run.id} success a success`, `run:finished ${run.id} success`]);
  });

  it("events for a try of a run that is gone, in a batch with a real end: the real one is stored", async () => {
    const h = await started({ dags: [solo] });
    const first = await h.scheduler.trigger("solo", {});
    const second = await h.scheduler.trigger("solo", {});
    await h.settle();
    h.executor.finish(key(first.id));
    await h.settle();
    const seen = record(h);
    // The first run is archived: its try, and a try never created, get events again.
    h.executor.fail(key(first.id));
    h.executor.finish(key(second.id, "a", 7));
    h.executor.finish(key("no-such-run"));
    h.executor.finish(key(second.id));
    await h.settle();
    expect(h.run(first.id).state).toBe("success");
    expect(h.run(second.id).tasks.map((task) => [task.id, task.state, task.try])).toEqual([
      ["a", "success", 1],
    ]);
    expect(seen).toEqual([
      `try:finished ${second.id} success a success`,
      `run:finished ${second.id} success`,
    ]);
  });

  it("a refused write, then the disk takes it: the try's end and the run's each reported once, in order", async () => {
    const writer = new FailingStateWriter();
    const h = await started({ dags: [solo], writer, maxSleepMs: 5_000 });
    const run = await h.scheduler.trigger("solo", {});
    await h.settle();
    const seen = record(h);
    writer.fail("ENOSPC");
    h.executor.finish(key(run.id));
    await h.settle();
    expect(writer.refused, "the write was refused").toBeGreaterThan(0);
    expect(seen, "nothing reported of a refused write").toEqual([]);
    writer.succeed();
    await h.advance(5_000);
    await h.advance(5_000);
    expect(h.run(run.id).state).toBe("success");
    expect(seen).toEqual([`try:finished ${run.id} success a success`, `run:finished ${run.id} success`]);
  });

  it("a refused archive after the write held: the run's end reported once, archived once the disk takes it", async () => {
    const writer = new FailingStateWriter();
    const h = await started({ dags: [solo], writer, maxSleepMs: 5_000 });
    const run = await h.scheduler.trigger("solo", {});
    await h.settle();
    const seen = record(h);
    writer.fail("EIO", (file) => !file.endsWith("state.json") && !file.endsWith("state.journal"));
    h.executor.finish(key(run.id));
    await h.settle();
    expect(writer.refused, "the archive was refused").toBeGreaterThan(0);
    expect(
      h.store.activeRuns().map((active) => active.id),
      "not archived yet",
    ).toEqual([run.id]);
    writer.succeed();
    for (let step = 0; step < 4; step++) await h.advance(5_000);
    expect(h.store.activeRuns()).toEqual([]);
    expect(h.run(run.id).state).toBe("success");
    expect(seen).toEqual([`try:finished ${run.id} success a success`, `run:finished ${run.id} success`]);
  });

  it("a failure batch refused, then taken, with the end twice in it: one failure notification", async () => {
    const ON_FAILURE = "https://hooks.example.test/services/T0/B0/secret";
    const writer = new FailingStateWriter();
    const notifying = dag("solo", { tasks: [pod("a")], onFailure: { url: ON_FAILURE } });
    const h = await started({ dags: [notifying], writer, maxSleepMs: 5_000 });
    const run = await h.scheduler.trigger("solo", {});
    await h.settle();
    writer.fail("EIO");
    h.executor.fail(key(run.id), 3);
    h.executor.fail(key(run.id), 3);
    await h.settle();
    expect(writer.refused, "the write was refused").toBeGreaterThan(0);
    h.executor.fail(key(run.id), 4);
    writer.succeed();
    for (let step = 0; step < 3; step++) await h.advance(5_000);
    await h.notifications.settled();
    expect(h.run(run.id).state).toBe("failed");
    expect(h.notifications.sent.map(({ notification }) => notification.id)).toEqual([
      `failure:${run.id}:a:1`,
    ]);
  });
});
