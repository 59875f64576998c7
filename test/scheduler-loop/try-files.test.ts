// No two tries share a file (issue #11, point 11): each try's log is its own, inside its folder,
// and a task id that would leave that folder fails the try instead of starting it.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { tryLogFile, UnsafeTryPathError } from "../../src/runs/try-files.ts";
import { dag, type Harness, pod, schedulerHarness } from "./harness.ts";
import { useSchedulerLoop } from "./loop-fixture.ts";

const loop = useSchedulerLoop("2026-05-01T10:00:30.000Z", { stateDir: "try-files" });
const { harnesses } = loop;

async function started(dags: DagDefinition[]): Promise<Harness> {
  const harness = await schedulerHarness({ stateDir: loop.stateDir, dags });
  harnesses.push(harness);
  await harness.start();
  return harness;
}

/** A definition whose task id no validation accepts, as a forged load or an old state file could hold. */
function withTaskId(definition: DagDefinition, taskId: string): DagDefinition {
  return { ...definition, tasks: definition.tasks.map((task) => ({ ...task, id: taskId })) };
}

describe("try files", () => {
  it("two runs of one DAG write to two logs, each in its own run's folder", async () => {
    const h = await started([dag("twice", { tasks: [pod("main")] })]);
    const first = await h.scheduler.trigger("twice", {});
    await h.settle();
    const second = await h.scheduler.trigger("twice", {});
    await h.settle();
    const logs = [first, second].map((run) => h.executor.launchOf(run.id, "main").logFile);
    expect(new Set(logs).size).toBe(2);
    expect(logs).toEqual(
      [first, second].map((run) => path.join(loop.stateDir, "logs", "twice", run.id, "main", "try-1.log")),
    );
  });

  it.each(["..", ".", "a/b", "a\\b"])(
    "a task whose id is %j fails its try, naming the id, and starts nothing",
    async (taskId) => {
      const h = await started([withTaskId(dag("pathy", { tasks: [pod("main")] }), taskId)]);
      const runs = [await h.scheduler.trigger("pathy", {}), await h.scheduler.trigger("pathy", {})];
      await h.settle();
      expect(h.executor.starts).toEqual([]);
      for (const run of runs) {
        const stored = h.run(run.id);
        expect(stored.state).toBe("failed");
        expect(stored.tasks[0]?.reason).toContain(
          `task id ${JSON.stringify(taskId)} cannot name a log folder`,
        );
      }
    },
  );
});

describe("tryLogFile", () => {
  const key = { dagId: "d", runId: "r", taskId: "t", try: 1 };
  it("names <logs>/<dag>/<run>/<task>/try-<n>.log", () => {
    expect(tryLogFile("/state/logs", { ...key, try: 3 })).toBe("/state/logs/d/r/t/try-3.log");
  });
  it.each([
    { dagId: ".." },
    { runId: "." },
    { taskId: ".." },
    { taskId: "../../etc" },
    { dagId: "a/b" },
    { runId: "a\\b" },
    { taskId: "a\u0000b" },
    { taskId: "" },
    { try: 0 },
    { try: 1.5 },
  ])("refuses %j", (bad) => {
    expect(() => tryLogFile("/state/logs", { ...key, ...bad })).toThrow(UnsafeTryPathError);
  });
});
