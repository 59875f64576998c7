// Issue 12 point 5: the scheduler reports run and try transitions on the daemon's event bus.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DaemonEvents } from "../../src/events/daemon-events.ts";
import type { TaskKey } from "../../src/executor/executor.ts";
import { Cleanup } from "../support/cleanup.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { dag, type Harness, type HarnessOptions, pod, schedulerHarness } from "./harness.ts";

const cleanup = new Cleanup();
const harnesses: Harness[] = [];

beforeEach(() => {
  vi.useFakeTimers({
    now: new Date("2026-05-01T10:00:30.000Z"),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
  });
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.scheduler.stop();
  vi.useRealTimers();
  await cleanup.run();
});

async function started(options: Partial<HarnessOptions> & Pick<HarnessOptions, "dags">): Promise<Harness> {
  const harness = await schedulerHarness({ stateDir: await cleanup.tempDir("events"), ...options });
  harnesses.push(harness);
  await harness.start();
  return harness;
}

/** Every run and try event, as `event run [task state]` lines. */
function record(h: Harness): string[] {
  const seen: string[] = [];
  const names = ["run:created", "run:started", "run:finished", "try:started", "try:finished"] as const;
  for (const name of names)
    h.events.on(name, (payload: DaemonEvents[typeof name]) => {
      const task = "task" in payload ? ` ${payload.task.id} ${payload.task.state}` : "";
      seen.push(`${name} ${payload.run.state}${task}`);
    });
  return seen;
}

const key = (runId: string, taskId: string, tryNumber = 1): TaskKey => ({
  dagId: "evented",
  runId,
  taskId,
  try: tryNumber,
});

describe("scheduler events", () => {
  it("reports a run's life: created, started, each try started and finished, finished once", async () => {
    const h = await started({
      dags: [
        dag("evented", {
          tasks: [pod("a", { retries: 1, retryDelay: "10s" }), pod("b", { dependsOn: ["a"] })],
        }),
      ],
    });
    const seen = record(h);
    const run = await h.scheduler.trigger("evented", {});
    await h.settle();
    h.executor.running(key(run.id, "a"));
    h.executor.fail(key(run.id, "a"));
    await h.settle();
    await h.advance(10_000);
    h.executor.running(key(run.id, "a", 2));
    h.executor.finish(key(run.id, "a", 2));
    await h.settle();
    h.executor.fail(key(run.id, "b"));
    await h.settle();
    h.scheduler.wake();
    await h.settle();
    expect(seen).toEqual([
      "run:created queued",
      "run:started running",
      "try:started running a running",
      "try:finished running a up_for_retry",
      "try:started running a running",
      "try:finished running a success",
      // The write that stores b's end also ends the run (one write per batch of events): the run
      // the event carries is final already, and run:finished comes right after.
      "try:finished failed b failed",
      "run:finished failed",
    ]);
  });

  it("gives a try's duration, and the scheduling lag of a scheduled run only", async () => {
    const h = await started({ dags: [dag("evented", { schedule: "* * * * *" })] });
    const lags: Array<number | null> = [];
    h.events.on("run:started", ({ lagMs }) => lags.push(lagMs));
    const scheduledStart = h.events.next("run:started");
    await h.advance(30_000);
    const scheduled = (await scheduledStart).run;
    await h.scheduler.setPaused("evented", true);
    const manual = await h.scheduler.trigger("evented", {});
    await h.settle();
    expect(lags).toEqual([0, null]);

    const ended = h.events.next("try:finished", ({ run }) => run.id === scheduled.id);
    h.executor.running(key(scheduled.id, "only"));
    await h.advance(4_000);
    h.executor.finish(key(scheduled.id, "only"));
    expect((await ended).durationMs).toBe(4_000);

    // A try that failed before it ever ran has no duration.
    const neverRan = h.events.next("try:finished", ({ run }) => run.id === manual.id);
    h.executor.fail(key(manual.id, "only"));
    expect(await neverRan).toMatchObject({ task: { state: "failed" }, durationMs: null });
  });

  it("notes what the executor asks to note on each run it starts, once", async () => {
    const h = await started({ dags: [dag("evented")], executorNotes: ["tasks run on this machine"] });
    const run = await h.scheduler.trigger("evented", {});
    await h.settle();
    h.scheduler.wake();
    await h.settle();
    expect(h.run(run.id).notes).toEqual(["tasks run on this machine"]);
  });

  it("reports a run's end once when the write that ends it fails and is retried", async () => {
    const writer = new FailingStateWriter();
    const h = await started({ dags: [dag("evented")], writer, maxSleepMs: 5_000 });
    const finishes: string[] = [];
    h.events.on("run:finished", ({ run }) => finishes.push(`${run.id} ${run.state}`));
    // The try's end is stored; the next write, which finishes the run, is refused.
    h.events.on("try:finished", () => writer.fail("ENOSPC"));
    const run = await h.scheduler.trigger("evented", {});
    await h.settle();
    h.executor.finish(key(run.id, "only"));
    await h.settle();
    expect(writer.refused).toBeGreaterThan(0);
    expect(h.store.writeError?.message).toContain("ENOSPC");

    writer.succeed();
    await h.advance(5_000);
    expect(h.run(run.id).state).toBe("success");
    expect(h.store.state.runs[run.id]).toBeUndefined();
    expect(finishes).toEqual([`${run.id} success`]);
  });
});
