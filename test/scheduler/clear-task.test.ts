import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { advanceRun, clearTask } from "../../src/scheduler/run-progress.ts";
import { at, buildDag, pod, runOf, statesOf, task } from "./fixtures.ts";
import { fail, later, pipeline, succeed, T0 } from "./run-steps.ts";

describe("clearTask", () => {
  /** a → b → c, and an unrelated d; b may retry once, immediately. */
  const dag = buildDag({
    tasks: [
      pod("a"),
      pod("b", { dependsOn: "a", retries: 1, retryDelay: 0 }),
      pod("c", { dependsOn: "b" }),
      pod("d"),
    ],
  });

  /** A run driven to its end: a and d succeed, b fails both tries, c never runs. */
  function failedRun(): Run {
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    succeed(run, dag, "a", later(1000), { out: 1 });
    succeed(run, dag, "d", later(1000));
    advanceRun(run, dag.tasks, later(1000));
    fail(run, dag, "b", later(2000));
    advanceRun(run, dag.tasks, later(2000));
    fail(run, dag, "b", later(3000));
    advanceRun(run, dag.tasks, later(3000));
    return run;
  }

  it("starts from a failed run whose b used both tries", () => {
    const run = failedRun();
    expect(statesOf(run)).toEqual({ a: "success", b: "failed", c: "upstream_failed", d: "success" });
    expect(task(run, "b").try).toBe(2);
    expect(run.state).toBe("failed");
    expect(run.endedAt).toBe(later(3000).toISOString());
  });

  it("clears the task and everything downstream, leaves the rest, and puts the run back to running", () => {
    const run = failedRun();
    const untouched = structuredClone([task(run, "a"), task(run, "d")]);
    expect(clearTask(run, dag.tasks, "b")).toEqual(["b", "c"]);
    expect(statesOf(run)).toEqual({ a: "success", b: "scheduled", c: "scheduled", d: "success" });
    expect([task(run, "a"), task(run, "d")]).toEqual(untouched);
    expect(task(run, "b")).toMatchObject({
      state: "scheduled",
      try: 2,
      maxTries: 4,
      exitCode: null,
      reason: null,
      endedAt: null,
      nextTryAt: null,
      result: null,
      hasResult: false,
    });
    expect(task(run, "b").tries).toHaveLength(2);
    expect(task(run, "c")).toMatchObject({
      state: "scheduled",
      try: 0,
      maxTries: 1,
      reason: null,
      endedAt: null,
    });
    expect(run.state).toBe("running");
    expect(run.endedAt).toBeNull();
  });

  it("continues the try numbers of a cleared task and reruns its downstream", () => {
    const run = failedRun();
    clearTask(run, dag.tasks, "b");
    expect(advanceRun(run, dag.tasks, later(10_000))).toEqual({ toStart: ["b"] });
    expect(task(run, "b").try).toBe(3);
    expect(task(run, "b").tries.map((entry) => entry.try)).toEqual([1, 2, 3]);
    succeed(run, dag, "b", later(11_000));
    expect(advanceRun(run, dag.tasks, later(11_000))).toEqual({ toStart: ["c"] });
    expect(task(run, "c").try).toBe(1);
    succeed(run, dag, "c", later(12_000));
    advanceRun(run, dag.tasks, later(12_000));
    expect(run.state).toBe("success");
    expect(run.endedAt).toBe(later(12_000).toISOString());
  });

  it("clears a root with its whole chain but not an unrelated task, dropping its old result", () => {
    const run = failedRun();
    expect(clearTask(run, dag.tasks, "a")).toEqual(["a", "b", "c"]);
    expect(statesOf(run)).toEqual({ a: "scheduled", b: "scheduled", c: "scheduled", d: "success" });
    expect(task(run, "a")).toMatchObject({ try: 1, maxTries: 2, result: null, hasResult: false });
  });

  it("clears only the leaf when the leaf is cleared", () => {
    const run = failedRun();
    expect(clearTask(run, dag.tasks, "c")).toEqual(["c"]);
    expect(statesOf(run)).toEqual({ a: "success", b: "failed", c: "scheduled", d: "success" });
  });

  it("clears one branch of a fan-in and the join, not the other branch", () => {
    const run = runOf(pipeline);
    advanceRun(run, pipeline.tasks, at(T0));
    for (const id of ["extract", "transform_a", "transform_b", "load"]) {
      succeed(run, pipeline, id, later(1000));
      advanceRun(run, pipeline.tasks, later(1000));
    }
    expect(run.state).toBe("success");
    expect(clearTask(run, pipeline.tasks, "transform_a")).toEqual(["transform_a", "load"]);
    expect(statesOf(run)).toEqual({
      extract: "success",
      transform_a: "scheduled",
      transform_b: "success",
      load: "scheduled",
    });
    expect(advanceRun(run, pipeline.tasks, later(2000))).toEqual({ toStart: ["transform_a"] });
    expect(task(run, "transform_a").try).toBe(2);
  });
});
