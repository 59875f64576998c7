import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { advanceRun, retryDelayMs } from "../../src/scheduler/run-progress.ts";
import { at, buildDag, pod, runOf, task } from "./fixtures.ts";
import { fail, later, succeed, T0 } from "./run-steps.ts";

describe("finishTry", () => {
  const dag = buildDag({
    retries: 2,
    retryDelay: "30s",
    tasks: [pod("work"), pod("once", { retries: 0 })],
  });

  function started(run: Run, id: string): void {
    advanceRun(run, dag.tasks, at(T0));
    Object.assign(task(run, id), { state: "running", startedAt: T0, podName: `pod-${id}` });
    Object.assign(task(run, id).tries[0] ?? {}, { state: "running", startedAt: T0, podName: `pod-${id}` });
  }

  it("records a success with its result on the task and on the try", () => {
    const run = runOf(dag);
    started(run, "work");
    succeed(run, dag, "work", later(5000), { rows: 3 });
    const instance = task(run, "work");
    expect(instance).toMatchObject({
      state: "success",
      try: 1,
      exitCode: 0,
      reason: null,
      endedAt: later(5000).toISOString(),
      result: { rows: 3 },
      hasResult: true,
      nextTryAt: null,
    });
    expect(instance.tries).toEqual([
      {
        try: 1,
        state: "success",
        startedAt: T0,
        endedAt: later(5000).toISOString(),
        exitCode: 0,
        reason: null,
        podName: "pod-work",
      },
    ]);
  });

  it("leaves the result empty when the task published none", () => {
    const run = runOf(dag);
    started(run, "work");
    succeed(run, dag, "work", later(5000));
    expect(task(run, "work")).toMatchObject({ state: "success", result: null, hasResult: false });
  });

  it("puts a failure with tries left up for retry after retryDelay", () => {
    const run = runOf(dag);
    started(run, "work");
    fail(run, dag, "work", later(5000));
    const instance = task(run, "work");
    expect(instance).toMatchObject({
      state: "up_for_retry",
      try: 1,
      maxTries: 3,
      exitCode: 1,
      reason: "exit code 1",
      endedAt: later(5000).toISOString(),
      nextTryAt: later(35_000).toISOString(),
      hasResult: false,
    });
    expect(instance.tries[0]).toMatchObject({ try: 1, state: "failed", exitCode: 1, reason: "exit code 1" });
  });

  it("fails for good when no tries are left", () => {
    const run = runOf(dag);
    started(run, "once");
    expect(task(run, "once").maxTries).toBe(1);
    fail(run, dag, "once", later(5000));
    expect(task(run, "once")).toMatchObject({
      state: "failed",
      try: 1,
      nextTryAt: null,
      reason: "exit code 1",
    });
  });

  it("fails for good on the last of several tries", () => {
    const run = runOf(dag);
    advanceRun(run, dag.tasks, at(T0));
    const delays: Array<string | null> = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const now = later(attempt * 60_000);
      advanceRun(run, dag.tasks, now);
      expect(task(run, "work").try).toBe(attempt);
      fail(run, dag, "work", now);
      delays.push(task(run, "work").nextTryAt);
    }
    expect(delays).toEqual([later(90_000).toISOString(), later(150_000).toISOString(), null]);
    expect(task(run, "work").state).toBe("failed");
  });

  it("doubles the delay per try with retryBackoff, capped at its max", () => {
    const backoff = buildDag({
      tasks: [pod("work", { retries: 4, retryDelay: "10s", retryBackoff: { max: "25s" } })],
    });
    const run = runOf(backoff);
    let now = at(T0);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(advanceRun(run, backoff.tasks, now)).toEqual({ toStart: ["work"] });
      fail(run, backoff, "work", now);
      const next = at(task(run, "work").nextTryAt ?? "");
      delays.push(next.getTime() - now.getTime());
      now = next;
    }
    expect(delays).toEqual([10_000, 20_000, 25_000, 25_000]);
  });

  it("computes retry delays: fixed, doubling, and capped at an hour by default", () => {
    const fixed = { retryDelayMs: 20 * 60_000, retryBackoff: null };
    expect([1, 2, 3].map((n) => retryDelayMs(fixed, n))).toEqual([1_200_000, 1_200_000, 1_200_000]);
    const [defaultCap] = buildDag({ tasks: [pod("t", { retryDelay: "20m", retryBackoff: true })] }).tasks;
    if (!defaultCap) throw new Error("fixture has no task");
    expect(defaultCap.retryBackoff).toEqual({ maxDelayMs: 3_600_000 });
    expect([1, 2, 3, 4].map((n) => retryDelayMs(defaultCap, n))).toEqual([
      1_200_000, 2_400_000, 3_600_000, 3_600_000,
    ]);
  });
});
