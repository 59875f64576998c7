// DAG and task ids that are Object.prototype names are scheduled, run and stored like any other
// (issue #11, point 1).
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, type Harness, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

/** Half a minute past a whole minute: an every-minute DAG is next due in 30 s. */
const T0 = "2026-05-01T10:00:30.000Z";
const EVERY_MINUTE = "* * * * *";
const FIRST_DUE = "2026-05-01T10:01:00Z";
const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];

const loop = useSchedulerLoop(T0, { stateDir: "prototype-ids" });
const { harnesses } = loop;

/** One every-minute DAG per prototype name, each with tasks `constructor` then `__proto__`. */
function prototypeDags() {
  return NAMES.map((id) =>
    dag(id, {
      schedule: EVERY_MINUTE,
      tasks: [
        pod("constructor", { command: ["echo", "{{ dag_run.conf }}"] }),
        pod("__proto__", {
          dependsOn: ["constructor"],
          command: ["echo", "{{ tasks.constructor.result.n }}"],
        }),
      ],
    }),
  );
}

async function started(): Promise<Harness> {
  const harness = await schedulerHarness({ stateDir: loop.stateDir, dags: prototypeDags() });
  harnesses.push(harness);
  await harness.start();
  return harness;
}

const key = (dagId: string, taskId: string): TaskKey => ({
  dagId,
  runId: scheduledRunId(dagId, new Date(FIRST_DUE)),
  taskId,
  try: 1,
});

describe("DAGs named like Object.prototype properties", () => {
  it("are scheduled when due, run to the end, and are not paused", async () => {
    const h = await started();
    for (const id of NAMES) expect(h.scheduler.isPaused(id)).toBe(false);
    await h.advance(29_999);
    expect(h.executor.starts).toEqual([]);
    await h.advance(1);
    const byDag = (a: TaskKey, b: TaskKey) => (a.dagId < b.dagId ? -1 : 1);
    expect(h.executor.startedKeys().sort(byDag)).toEqual(
      NAMES.map((id) => key(id, "constructor")).sort(byDag),
    );

    for (const id of NAMES) h.executor.finish(key(id, "constructor"), { present: true, value: { n: 7 } });
    await h.settle();
    // The second task read the first one's result through {{ tasks.constructor.result.n }}.
    for (const id of NAMES)
      expect(h.executor.launchOf(key(id, "").runId, "__proto__").command).toEqual(["echo", "7"]);
    for (const id of NAMES) h.executor.finish(key(id, "__proto__"));
    await h.settle();
    for (const id of NAMES) {
      expect(h.runsOf(id).map((run) => [run.id, run.state])).toEqual([[key(id, "").runId, "success"]]);
      expect(h.store.dag(id)).toMatchObject({ paused: false, lastScheduledAt: "2026-05-01T10:01:00.000Z" });
    }
    // Nothing leaked onto a prototype: an id nobody used is still unknown.
    expect(h.store.dag("isPrototypeOf")).toBeUndefined();
    expect(h.store.getRun("constructor")).toBeUndefined();
    expect(Object.getPrototypeOf(h.store.state.dags)).toBeNull();
  });

  it("pause and unpause like any other DAG", async () => {
    const h = await started();
    for (const id of NAMES) await h.scheduler.setPaused(id, true);
    await h.advance(30_000);
    expect(h.executor.starts).toEqual([]);
    for (const id of NAMES) expect(h.scheduler.isPaused(id)).toBe(true);
    await h.scheduler.setPaused("constructor", false);
    await h.settle();
    expect(h.scheduler.isPaused("constructor")).toBe(false);
    expect(h.scheduler.isPaused("__proto__")).toBe(true);
  });

  it("keeps their state across a restart: the state file round-trips such ids", async () => {
    const h = await started();
    await h.advance(30_000);
    await h.scheduler.setPaused("__proto__", true);
    for (const id of NAMES) h.executor.running(key(id, "constructor"));
    await h.settle();
    await h.scheduler.stop();

    const reopened = await RunStore.open(loop.stateDir);
    for (const id of NAMES) {
      const run = reopened.getRun(key(id, "").runId);
      expect(run?.dagId).toBe(id);
      expect(run?.tasks.map((t) => [t.id, t.state])).toEqual([
        ["constructor", "running"],
        ["__proto__", "scheduled"],
      ]);
      expect(reopened.dag(id)?.paused).toBe(id === "__proto__");
    }
    expect(Object.getPrototypeOf(reopened.state.dags)).toBeNull();
    expect(Object.getPrototypeOf(reopened.state.runs)).toBeNull();
    expect(Object.getPrototypeOf(reopened.state.definitions)).toBeNull();
    expect(reopened.dag("isPrototypeOf")).toBeUndefined();
    expect(reopened.getRun("toString")).toBeUndefined();
    expect(Object.keys(reopened.state.dags).sort()).toEqual([...NAMES].sort());

    // A restarted scheduler goes on with them.
    const again = await schedulerHarness({ stateDir: loop.stateDir, dags: prototypeDags() });
    harnesses.push(again);
    await again.start();
    await again.advance(60_000);
    for (const id of NAMES) expect(again.runsOf(id).length, id).toBe(id === "__proto__" ? 1 : 2);
  });
});
