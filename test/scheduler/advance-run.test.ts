import { describe, expect, it } from "vitest";
import { advanceRun } from "../../src/scheduler/run-progress.ts";
import { at, buildDag, pod, runOf, setStates, statesOf, task } from "./fixtures.ts";
import { fail, later, pipeline, succeed, T0 } from "./run-steps.ts";

describe("advanceRun", () => {
  it("queues the tasks without upstreams first, as try 1, and marks the run running", () => {
    const run = runOf(pipeline);
    expect(run.state).toBe("queued");
    expect(advanceRun(run, pipeline.tasks, at(T0))).toEqual({ toStart: ["extract"] });
    expect(statesOf(run)).toEqual({
      extract: "queued",
      transform_a: "scheduled",
      transform_b: "scheduled",
      load: "scheduled",
    });
    expect(task(run, "extract").try).toBe(1);
    expect(task(run, "extract").tries).toEqual([
      {
        try: 1,
        state: "queued",
        startedAt: null,
        endedAt: null,
        exitCode: null,
        reason: null,
        podName: null,
      },
    ]);
    expect(run.state).toBe("running");
    expect(run.startedAt).toBe(T0);
    expect(run.endedAt).toBeNull();
  });

  it("does not queue a task twice", () => {
    const run = runOf(pipeline);
    advanceRun(run, pipeline.tasks, at(T0));
    expect(advanceRun(run, pipeline.tasks, later(1000))).toEqual({ toStart: [] });
    expect(task(run, "extract").try).toBe(1);
    expect(task(run, "extract").tries).toHaveLength(1);
    expect(run.startedAt).toBe(T0);
  });

  it("fans out after the shared upstream and fans in once both branches succeed", () => {
    const run = runOf(pipeline);
    advanceRun(run, pipeline.tasks, at(T0));
    succeed(run, pipeline, "extract", later(1000));
    expect(advanceRun(run, pipeline.tasks, later(1000))).toEqual({ toStart: ["transform_a", "transform_b"] });

    succeed(run, pipeline, "transform_a", later(2000));
    setStates(run, { transform_b: "running" });
    expect(advanceRun(run, pipeline.tasks, later(2000))).toEqual({ toStart: [] });
    expect(task(run, "load").state).toBe("scheduled");

    succeed(run, pipeline, "transform_b", later(3000));
    expect(advanceRun(run, pipeline.tasks, later(3000))).toEqual({ toStart: ["load"] });
    expect(run.state).toBe("running");

    succeed(run, pipeline, "load", later(4000));
    expect(advanceRun(run, pipeline.tasks, later(4000))).toEqual({ toStart: [] });
    expect(run.state).toBe("success");
    expect(run.startedAt).toBe(T0);
    expect(run.endedAt).toBe(later(4000).toISOString());
  });

  it("propagates upstream_failed down a whole chain in one pass and fails the run at the end", () => {
    const dag = buildDag({
      tasks: [pod("a"), pod("b", { dependsOn: "a" }), pod("c", { dependsOn: "b" }), pod("side")],
    });
    const run = runOf(dag);
    expect(advanceRun(run, dag.tasks, at(T0))).toEqual({ toStart: ["a", "side"] });
    fail(run, dag, "a", later(1000));
    setStates(run, { side: "running" });
    expect(advanceRun(run, dag.tasks, later(1000))).toEqual({ toStart: [] });
    expect(statesOf(run)).toEqual({
      a: "failed",
      b: "upstream_failed",
      c: "upstream_failed",
      side: "running",
    });
    expect(task(run, "c").reason).toBe("an upstream task failed");
    expect(task(run, "c").endedAt).toBe(later(1000).toISOString());
    expect(task(run, "c").try).toBe(0);
    expect(run.state).toBe("running");
    expect(run.endedAt).toBeNull();

    succeed(run, dag, "side", later(2000));
    advanceRun(run, dag.tasks, later(2000));
    expect(run.state).toBe("failed");
    expect(run.endedAt).toBe(later(2000).toISOString());
  });

  it("propagates skipped down a chain and ends the run as success", () => {
    const dag = buildDag({
      tasks: [
        pod("work"),
        pod("on_failure", { dependsOn: "work", triggerRule: "all_failed" }),
        pod("notify", { dependsOn: "on_failure" }),
        pod("archive", { dependsOn: "notify" }),
      ],
    });
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    succeed(run, dag, "work", later(1000));
    expect(advanceRun(run, dag.tasks, later(1000))).toEqual({ toStart: [] });
    expect(statesOf(run)).toEqual({
      work: "success",
      on_failure: "skipped",
      notify: "skipped",
      archive: "skipped",
    });
    expect(task(run, "archive").reason).toBe("skipped by trigger rule");
    expect(run.state).toBe("success");
    expect(run.endedAt).toBe(later(1000).toISOString());
  });

  it("runs a none_failed join after a skipped branch", () => {
    const dag = buildDag({
      tasks: [
        pod("work"),
        pod("on_failure", { dependsOn: "work", triggerRule: "all_failed" }),
        pod("join", { dependsOn: ["work", "on_failure"], triggerRule: "none_failed" }),
      ],
    });
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    succeed(run, dag, "work", later(1000));
    expect(advanceRun(run, dag.tasks, later(1000))).toEqual({ toStart: ["join"] });
    expect(statesOf(run)).toEqual({ work: "success", on_failure: "skipped", join: "queued" });
  });

  it("runs an all_done cleanup after a failure, and the run still fails", () => {
    const dag = buildDag({
      tasks: [pod("work"), pod("cleanup", { dependsOn: "work", triggerRule: "all_done" })],
    });
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    fail(run, dag, "work", later(1000));
    expect(advanceRun(run, dag.tasks, later(1000))).toEqual({ toStart: ["cleanup"] });
    succeed(run, dag, "cleanup", later(2000));
    advanceRun(run, dag.tasks, later(2000));
    expect(statesOf(run)).toEqual({ work: "failed", cleanup: "success" });
    expect(run.state).toBe("failed");
  });

  it("re-queues a retry that is due with the next try number and keeps one that is not", () => {
    const dag = buildDag({
      tasks: [pod("soon", { retries: 2, retryDelay: "1m" }), pod("later", { retries: 2, retryDelay: "5m" })],
    });
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    fail(run, dag, "soon", at(T0));
    fail(run, dag, "later", at(T0));
    expect(statesOf(run)).toEqual({ soon: "up_for_retry", later: "up_for_retry" });

    expect(advanceRun(run, dag.tasks, later(59_999))).toEqual({ toStart: [] });
    expect(statesOf(run)).toEqual({ soon: "up_for_retry", later: "up_for_retry" });
    expect(run.state).toBe("running");

    expect(advanceRun(run, dag.tasks, later(60_000))).toEqual({ toStart: ["soon"] });
    const soon = task(run, "soon");
    expect(soon.state).toBe("queued");
    expect(soon.try).toBe(2);
    expect(soon.nextTryAt).toBeNull();
    expect(soon.tries.map(({ try: n, state }) => ({ try: n, state }))).toEqual([
      { try: 1, state: "failed" },
      { try: 2, state: "queued" },
    ]);
    expect(task(run, "later").state).toBe("up_for_retry");
    expect(task(run, "later").try).toBe(1);
    expect(task(run, "later").nextTryAt).toBe(later(300_000).toISOString());
  });

  it("keeps downstream tasks waiting while their upstream is up for retry", () => {
    const dag = buildDag({
      tasks: [pod("a", { retries: 1, retryDelay: "1m" }), pod("b", { dependsOn: "a" })],
    });
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    fail(run, dag, "a", at(T0));
    expect(advanceRun(run, dag.tasks, later(1000))).toEqual({ toStart: [] });
    expect(statesOf(run)).toEqual({ a: "up_for_retry", b: "scheduled" });
    expect(run.state).toBe("running");
  });
});
