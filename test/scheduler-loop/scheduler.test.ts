import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { TEMPLATE_NAMES } from "../../src/scheduler/templating.ts";
import { dag, dagSet, type Harness, type HarnessOptions, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

/** Half a minute past a whole minute: an every-minute DAG is next due in 30 s. */
const T0 = "2026-05-01T10:00:30.000Z";
const EVERY_MINUTE = "* * * * *";

const loop = useSchedulerLoop(T0, { stateDir: "scheduler-loop" });
const { harnesses } = loop;

/** A started scheduler over `dags` in this test's state dir. */
async function started(
  dags: HarnessOptions["dags"],
  options: Partial<HarnessOptions> = {},
): Promise<Harness> {
  const harness = await schedulerHarness({ stateDir: loop.stateDir, dags, ...options });
  harnesses.push(harness);
  await harness.start();
  return harness;
}

function key(runId: string, taskId: string, tryNumber = 1): TaskKey {
  return { dagId: runId.split("__")[0] ?? "", runId, taskId, try: tryNumber };
}

const runIdAt = (dagId: string, iso: string) => scheduledRunId(dagId, new Date(iso));

describe("scheduled runs", () => {
  it("creates exactly one run when the DAG's time comes, and none before", async () => {
    const h = await started([dag("minutely", { schedule: EVERY_MINUTE })]);
    await h.advance(29_999);
    expect(h.runsOf("minutely")).toEqual([]);
    expect(h.executor.starts).toEqual([]);

    await h.advance(1);
    const runId = runIdAt("minutely", "2026-05-01T10:01:00Z");
    expect(h.runsOf("minutely").map((run) => [run.id, run.trigger, run.logicalDate, run.state])).toEqual([
      [runId, "scheduled", "2026-05-01T10:01:00.000Z", "running"],
    ]);
    expect(h.executor.startedKeys()).toEqual([key(runId, "only")]);

    h.scheduler.wake();
    await h.settle();
    expect(h.runsOf("minutely")).toHaveLength(1);
    expect(h.executor.starts).toHaveLength(1);
  });

  it("keeps a second run queued while maxActiveRuns=1 is used, and starts it when the first finishes", async () => {
    const h = await started([dag("single", { schedule: EVERY_MINUTE, maxActiveRuns: 1 })]);
    await h.advance(30_000);
    const first = runIdAt("single", "2026-05-01T10:01:00Z");
    const second = runIdAt("single", "2026-05-01T10:02:00Z");
    h.executor.running(key(first, "only"));
    await h.settle();

    await h.advance(60_000);
    expect(h.run(second).state).toBe("queued");
    expect(h.run(second).tasks.map((task) => task.state)).toEqual(["scheduled"]);
    expect(h.executor.startedKeys()).toEqual([key(first, "only")]);

    h.executor.finish(key(first, "only"));
    await h.settle();
    expect(h.run(first).state).toBe("success");
    // The slot the first run held is free now: the queued run starts on this same wake-up.
    expect(h.executor.startedKeys()).toEqual([key(first, "only"), key(second, "only")]);
    expect(h.run(second).state).toBe("running");
  });

  it("records a skip and creates no run under concurrencyPolicy forbid while a run is active", async () => {
    const h = await started([dag("forbidding", { schedule: EVERY_MINUTE, concurrencyPolicy: "forbid" })]);
    await h.advance(30_000);
    const first = runIdAt("forbidding", "2026-05-01T10:01:00Z");
    h.executor.running(key(first, "only"));
    await h.settle();

    await h.advance(60_000);
    expect(h.store.dag("forbidding")?.skipped).toEqual([
      {
        logicalDate: "2026-05-01T10:02:00.000Z",
        reason: `concurrencyPolicy forbid: run ${first} is still active`,
        at: "2026-05-01T10:02:00.000Z",
      },
    ]);
    expect(h.runsOf("forbidding").map((run) => run.id)).toEqual([first]);
    expect(h.executor.startedKeys()).toEqual([key(first, "only")]);
  });

  it("cancels the running try under concurrencyPolicy replace and starts the new run", async () => {
    const h = await started([dag("replacing", { schedule: EVERY_MINUTE, concurrencyPolicy: "replace" })]);
    await h.advance(30_000);
    const first = runIdAt("replacing", "2026-05-01T10:01:00Z");
    const second = runIdAt("replacing", "2026-05-01T10:02:00Z");
    h.executor.running(key(first, "only"));
    await h.settle();

    await h.advance(60_000);
    const reason = "replaced by a newer run (concurrencyPolicy replace)";
    expect(h.executor.cancels).toEqual([{ key: key(first, "only"), reason }]);
    expect(reason).toContain("replaced");
    expect(h.run(first).state).toBe("failed");
    expect(h.run(first).tasks.map((task) => [task.state, task.reason])).toEqual([["failed", reason]]);
    expect(h.executor.startedKeys()).toEqual([key(first, "only"), key(second, "only")]);
    expect(h.run(second).state).toBe("running");
  });

  it("starts the new run at once under concurrencyPolicy replace with maxActiveRuns=1", async () => {
    const h = await started([
      dag("replacing_one", { schedule: EVERY_MINUTE, concurrencyPolicy: "replace", maxActiveRuns: 1 }),
    ]);
    await h.advance(30_000);
    const first = runIdAt("replacing_one", "2026-05-01T10:01:00Z");
    const second = runIdAt("replacing_one", "2026-05-01T10:02:00Z");
    h.executor.running(key(first, "only"));
    await h.settle();

    await h.advance(60_000);
    expect(h.executor.cancels.map((cancel) => cancel.key)).toEqual([key(first, "only")]);
    expect(h.run(first).state).toBe("failed");
    expect(h.executor.startedKeys()).toEqual([key(first, "only"), key(second, "only")]);
  });

  it("does not create a run again when the clock goes backwards after creating it", async () => {
    const h = await started([dag("clocky", { schedule: EVERY_MINUTE })]);
    await h.advance(30_000);
    const first = runIdAt("clocky", "2026-05-01T10:01:00Z");
    h.executor.finish(key(first, "only"));
    await h.settle();
    expect(h.run(first).state).toBe("success");

    vi.setSystemTime(new Date("2026-05-01T10:00:10.000Z"));
    h.scheduler.wake();
    await h.settle();
    await h.advance(50_000);
    expect(new Date().toISOString()).toBe("2026-05-01T10:01:00.000Z");
    expect(h.runsOf("clocky").map((run) => run.id)).toEqual([first]);
    expect(h.executor.startedKeys()).toEqual([key(first, "only")]);

    // Still on schedule afterwards.
    await h.advance(60_000);
    expect(h.runsOf("clocky").map((run) => run.id)).toEqual([
      first,
      runIdAt("clocky", "2026-05-01T10:02:00Z"),
    ]);
  });
});

describe("pause", () => {
  it("creates no scheduled runs while a DAG is paused", async () => {
    const h = await started([dag("pausable", { schedule: EVERY_MINUTE })]);
    await h.scheduler.setPaused("pausable", true);
    await h.advance(5 * 60_000);
    expect(h.runsOf("pausable")).toEqual([]);
    expect(h.executor.starts).toEqual([]);
    expect(h.scheduler.isPaused("pausable")).toBe(true);
  });

  it("creates exactly one run, for the latest interval, when unpaused after downtime with catchup off", async () => {
    const h = await started([
      dag("resumed", { schedule: EVERY_MINUTE, catchup: false, pausedOnCreation: true }),
    ]);
    await h.advance(10 * 60_000);
    expect(h.runsOf("resumed")).toEqual([]);

    await h.scheduler.setPaused("resumed", false);
    await h.settle();
    const latest = runIdAt("resumed", "2026-05-01T10:10:00Z");
    expect(h.runsOf("resumed").map((run) => [run.id, run.trigger])).toEqual([[latest, "scheduled"]]);
    expect(h.executor.startedKeys()).toEqual([key(latest, "only")]);
  });
});

describe("task tries", () => {
  it("retries a failed try only after retryDelay, as try 2", async () => {
    const h = await started([dag("retrying", { retries: 1, retryDelay: "1m" })]);
    const run = await h.scheduler.trigger("retrying", {});
    await h.settle();
    h.executor.running(key(run.id, "only"));
    h.executor.fail(key(run.id, "only"));
    await h.settle();
    const task = h.run(run.id).tasks[0];
    expect([task?.state, task?.try, task?.reason, task?.nextTryAt]).toEqual([
      "up_for_retry",
      1,
      "exit code 1",
      "2026-05-01T10:01:30.000Z",
    ]);

    await h.advance(59_999);
    expect(h.executor.startedKeys()).toEqual([key(run.id, "only", 1)]);
    await h.advance(1);
    expect(h.executor.startedKeys()).toEqual([key(run.id, "only", 1), key(run.id, "only", 2)]);
    expect(h.run(run.id).tasks[0]?.state).toBe("queued");

    h.executor.finish(key(run.id, "only", 2));
    await h.settle();
    expect(h.run(run.id).state).toBe("success");
  });

  it("cancels a running try when its timeout elapses", async () => {
    const h = await started([dag("slow", { tasks: [pod("only", { timeout: "30s" })] })]);
    const run = await h.scheduler.trigger("slow", {});
    await h.settle();
    h.executor.running(key(run.id, "only"));
    await h.settle();

    await h.advance(29_999);
    expect(h.executor.cancels).toEqual([]);
    await h.advance(1);
    expect(h.executor.cancels).toEqual([{ key: key(run.id, "only"), reason: "timed out after 30s" }]);
    expect(h.run(run.id).state).toBe("failed");
    expect(h.run(run.id).tasks.map((task) => [task.state, task.reason])).toEqual([
      ["failed", "timed out after 30s"],
    ]);
  });

  it("fails a task whose template does not render without starting it, and its downstream is upstream_failed", async () => {
    const h = await started([
      dag("templated", {
        tasks: [pod("a", { args: ["{{ nope }}"] }), pod("b", { dependsOn: ["a"] })],
      }),
    ]);
    const run = await h.scheduler.trigger("templated", {});
    await h.settle();
    expect(h.executor.starts).toEqual([]);
    expect(h.run(run.id).state).toBe("failed");
    expect(h.run(run.id).tasks.map((task) => [task.id, task.state, task.try, task.reason])).toEqual([
      [
        "a",
        "failed",
        1,
        `template error: args[0]: unknown template name "nope" (known: ${TEMPLATE_NAMES.join(", ")})`,
      ],
      ["b", "upstream_failed", 0, "an upstream task failed"],
    ]);
  });
});

describe("what a launch carries", () => {
  it("renders a manual trigger's conf into the task's args and env", async () => {
    const h = await started([
      dag("confed", {
        tasks: [
          pod("only", {
            command: ["node", "job.js"],
            args: ["--conf", "{{ dag_run.conf }}", "--k", "{{ dag_run.conf.k }}", "{{ ds }}"],
            env: { RUN: "{{ run_id }}", TRY: "{{ try_number }}" },
          }),
        ],
      }),
    ]);
    const run = await h.scheduler.trigger("confed", { k: 1, name: "x" });
    await h.settle();
    const launch = h.executor.launchOf(run.id, "only");
    expect({ ...launch, task: launch.task.id }).toEqual({
      dagId: "confed",
      runId: run.id,
      taskId: "only",
      try: 1,
      task: "only",
      command: ["node", "job.js"],
      args: ["--conf", '{"k":1,"name":"x"}', "--k", "1", "2026-05-01"],
      env: { RUN: run.id, TRY: "1" },
      snapshot: "/x",
      logFile: path.join(loop.stateDir, "logs", "confed", run.id, "only", "try-1.log"),
      logicalDate: T0,
    });
  });

  it("renders an upstream task's result into a downstream task's args", async () => {
    const h = await started([
      dag("passing", {
        tasks: [
          pod("a"),
          pod("b", { dependsOn: ["a"], args: ["{{ tasks.a.result.x }}", "{{ tasks.a.result }}"] }),
        ],
      }),
    ]);
    const run = await h.scheduler.trigger("passing", {});
    await h.settle();
    h.executor.finish(key(run.id, "a"), { present: true, value: { x: "forty-two", n: [1, 2] } });
    await h.settle();
    expect(h.executor.launchOf(run.id, "b").args).toEqual(["forty-two", '{"x":"forty-two","n":[1,2]}']);
    expect(h.run(run.id).tasks.map((task) => [task.id, task.hasResult, task.result])).toEqual([
      ["a", true, { x: "forty-two", n: [1, 2] }],
      ["b", false, null],
    ]);
  });
});

describe("clear", () => {
  it("re-runs a cleared task of an archived run and its downstream, with the next try number", async () => {
    const h = await started([
      dag("clearable", { tasks: [pod("a"), pod("b", { dependsOn: ["a"] }), pod("c")] }),
    ]);
    const run = await h.scheduler.trigger("clearable", {});
    await h.settle();
    h.executor.finish(key(run.id, "a"));
    h.executor.finish(key(run.id, "c"));
    await h.settle();
    h.executor.finish(key(run.id, "b"));
    await h.settle();
    expect(h.store.state.runs[run.id]).toBeUndefined();
    expect(h.run(run.id).state).toBe("success");
    h.executor.starts.length = 0;

    await h.scheduler.clear(run.id, "a");
    await h.settle();
    expect(h.executor.startedKeys()).toEqual([key(run.id, "a", 2)]);
    h.executor.finish(key(run.id, "a", 2));
    await h.settle();
    expect(h.executor.startedKeys()).toEqual([key(run.id, "a", 2), key(run.id, "b", 2)]);
    h.executor.finish(key(run.id, "b", 2));
    await h.settle();
    expect(h.run(run.id).state).toBe("success");
    expect(h.run(run.id).tasks.map((task) => [task.id, task.state, task.try])).toEqual([
      ["a", "success", 2],
      ["b", "success", 2],
      ["c", "success", 1],
    ]);
    expect(h.runsOf("clearable").map((r) => r.id)).toEqual([run.id]);
  });
});

describe("restart", () => {
  it("starts a task stored as running again for the same try (adoption) and creates no duplicate run", async () => {
    const definition = dag("adopted", { schedule: EVERY_MINUTE });
    const before = await started([definition]);
    await before.advance(30_000);
    const runId = runIdAt("adopted", "2026-05-01T10:01:00Z");
    before.executor.running(key(runId, "only"));
    await before.settle();
    expect(before.run(runId).tasks[0]?.state).toBe("running");
    await before.scheduler.stop();

    await vi.advanceTimersByTimeAsync(20_000);
    const after = await started([definition]);
    expect(after.executor.startedKeys()).toEqual([key(runId, "only", 1)]);
    expect(after.runsOf("adopted").map((run) => run.id)).toEqual([runId]);

    after.executor.finish(key(runId, "only", 1));
    await after.settle();
    expect(after.run(runId).state).toBe("success");
    expect(after.runsOf("adopted").map((run) => run.id)).toEqual([runId]);
  });
});

describe("a DAG removed from the registry mid-run", () => {
  it("finishes the run with its stored definition", async () => {
    const h = await started([
      dag("vanishing", {
        tasks: [
          pod("a"),
          pod("b", { dependsOn: ["a"], command: ["node", "b.js"], args: ["--from-{{ dag.id }}"] }),
        ],
      }),
    ]);
    const run = await h.scheduler.trigger("vanishing", {});
    await h.settle();
    h.executor.running(key(run.id, "a"));
    await h.settle();

    h.registry.apply(dagSet(), { commit: null, snapshot: "/x", prefix: "" });
    await h.settle();
    expect(h.registry.get("vanishing")).toBeUndefined();

    h.executor.finish(key(run.id, "a"));
    await h.settle();
    const launch = h.executor.launchOf(run.id, "b");
    expect([launch.command, launch.args, launch.task.id]).toEqual([
      ["node", "b.js"],
      ["--from-vanishing"],
      "b",
    ]);
    h.executor.finish(key(run.id, "b"));
    await h.settle();
    expect(h.run(run.id).state).toBe("success");
    expect(h.run(run.id).tasks.map((task) => task.state)).toEqual(["success", "success"]);
  });
});

describe("heartbeat", () => {
  it("keeps the heartbeat alive while the loop runs, and reports it stalled once the loop stops", async () => {
    // The daemon's figures: the loop wakes at least every 5 s, the heartbeat's deadline is 30 s.
    const h = await started([dag("idle")], { maxSleepMs: 5_000 });
    await h.advance(10 * 60_000);
    expect(h.heartbeat.stalledFor()).toBeUndefined();

    h.scheduler.wake();
    await h.settle();
    await h.scheduler.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.heartbeat.stalledFor()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(h.heartbeat.stalledFor()).toBe("the scheduler loop has not made progress for 30s (deadline 30s)");
  });
});
