// Issue 12 point 5: run and try metrics come from the daemon's events, counted as before.
import { describe, expect, it } from "vitest";
import { createDaemonEvents } from "../../src/events/daemon-events.ts";
import { type Metrics, noMetrics } from "../../src/metrics/metrics.ts";
import { recordRunMetrics } from "../../src/metrics/run-metrics.ts";
import type { Run, TaskInstance } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { dag } from "../scheduler-loop/harness.ts";

function recorder() {
  const calls: Array<[string, unknown]> = [];
  const metrics: Metrics = {
    ...noMetrics,
    runFinished: (run) =>
      calls.push([
        "runFinished",
        { dagId: run.dagId, state: run.state, tasks: run.tasks.map((t) => t.state) },
      ]),
    runStarted: (start) => calls.push(["runStarted", start]),
    tryFinished: (end) => calls.push(["tryFinished", end]),
    missedSchedules: (missed) => calls.push(["missedSchedules", missed]),
  };
  return { metrics, calls };
}

const definition = dag("metered");
function runIn(state: Run["state"]): Run {
  const run = newRun(definition, {
    id: "metered-1",
    trigger: "scheduled",
    logicalDate: new Date("2026-05-01T10:00:00Z"),
    conf: {},
    commit: null,
    snapshot: "/x",
    now: new Date("2026-05-01T10:00:00Z"),
  });
  run.state = state;
  return run;
}
const taskIn = (run: Run, state: TaskInstance["state"]): TaskInstance => ({ ...run.tasks[0]!, state });

describe("recordRunMetrics", () => {
  it("maps run and try events to the Metrics port", () => {
    const events = createDaemonEvents();
    const { metrics, calls } = recorder();
    recordRunMetrics(events, metrics);
    const run = runIn("running");
    events.emit("run:created", { run });
    events.emit("run:started", { run, lagMs: 1500 });
    events.emit("run:started", { run, lagMs: null });
    events.emit("try:started", { run, task: taskIn(run, "running") });
    events.emit("try:finished", { run, task: taskIn(run, "up_for_retry"), durationMs: 200 });
    events.emit("try:finished", { run, task: taskIn(run, "success"), durationMs: 300 });
    events.emit("try:finished", { run, task: taskIn(run, "failed"), durationMs: null });
    const done = runIn("success");
    done.tasks[0]!.state = "success";
    events.emit("run:finished", { run: done });
    events.emit("schedule:missed", {
      dagId: "metered",
      logicalDate: "2026-05-01T10:00:00.000Z",
      kind: "start",
      reason: "no run started within 15m of 2026-05-01T10:00:00.000Z (DAG paused)",
      summary: "no run started within 15m (DAG paused)",
      count: 3,
      dates: [],
      onMissedSchedule: [],
      timezone: "UTC",
      onFailureUrl: null,
    });
    expect(calls).toEqual([
      ["runStarted", { dagId: "metered", lagMs: 1500 }],
      ["tryFinished", { dagId: "metered", outcome: "failed", durationMs: 200 }],
      ["tryFinished", { dagId: "metered", outcome: "success", durationMs: 300 }],
      ["runFinished", { dagId: "metered", state: "success", tasks: ["success"] }],
      ["missedSchedules", { dagId: "metered", count: 3 }],
    ]);
  });

  it("stops recording when unsubscribed", () => {
    const events = createDaemonEvents();
    const { metrics, calls } = recorder();
    recordRunMetrics(events, metrics)();
    events.emit("run:finished", { run: runIn("failed") });
    expect(calls).toEqual([]);
  });
});
