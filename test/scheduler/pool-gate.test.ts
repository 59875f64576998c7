// Pools (issue #15 point 8): at most N tries hold a slot of a pool at once, across every DAG and
// run; a try holds its slot while queued or running; ready tries of a full pool wait, oldest run first.
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { Run } from "../../src/runs/run-model.ts";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { advanceRuns, nextWakeAt } from "../../src/scheduler/plan-tick.ts";
import { finishTry, startTry } from "../../src/scheduler/run-progress.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { poolUsage } from "../../src/scheduler/pool-usage.ts";
import { at, buildDag, pod, runOf, statesOf, task } from "./fixtures.ts";

const NOW = at("2026-05-01T10:00:00.000Z");
const LATER = at("2026-05-01T10:05:00.000Z");

function context(pools: Record<string, number>) {
  return {
    definitionOf: (run: Run) => run.definition,
    pools: new Map(Object.entries(pools)),
  };
}

function stateOf(...runs: Run[]): ActiveState {
  const state = emptyActiveState();
  for (const run of runs) state.runs[run.id] = run;
  return state;
}

const warehouseDag = (id: string, count: number, fields: Partial<Parameters<typeof pod>[1]> = {}) =>
  buildDag({
    id,
    maxActiveRuns: 10,
    tasks: Array.from({ length: count }, (_, i) => pod(`t${i}`, { pool: "warehouse", ...fields })),
  });

const launched = (advance: ReturnType<typeof advanceRuns>) =>
  advance.launches.map(({ run, instance }) => `${run.id}/${instance.id}`);

function finish(run: Run, taskId: string, definition: DagDefinition, ok = true, now = NOW): void {
  const instance = task(run, taskId);
  startTry(instance, null, now);
  const taskDefinition = definition.tasks.find((candidate) => candidate.id === taskId);
  if (!taskDefinition) throw new Error(taskId);
  finishTry(instance, taskDefinition, { ok, exitCode: ok ? 0 : 1, reason: ok ? null : "exit 1" }, now);
}

describe("the pool gate in advanceRuns", () => {
  it("shares one pool between two DAGs: the oldest run's tries first, the rest wait with a reason", () => {
    const a = warehouseDag("a", 3);
    const b = warehouseDag("b", 3);
    const older = runOf(a, "2026-05-01T09:00:00.000Z", "a-run");
    const newer = runOf(b, "2026-05-01T09:30:00.000Z", "b-run");
    const state = stateOf(newer, older);
    const advance = advanceRuns(state, NOW, context({ warehouse: 4 }));
    expect(launched(advance)).toEqual(["a-run/t0", "a-run/t1", "a-run/t2", "b-run/t0"]);
    expect(statesOf(newer)).toEqual({ t0: "queued", t1: "scheduled", t2: "scheduled" });
    expect(task(newer, "t1").reason).toBe("waiting for pool warehouse (4/4 used)");
    expect(task(newer, "t2").reason).toBe("waiting for pool warehouse (4/4 used)");
    expect(task(newer, "t0").reason).toBeNull();
    expect(poolUsage(state, context({ warehouse: 4 }))).toEqual([
      { name: "warehouse", slots: 4, used: 4, queued: 2 },
    ]);
  });

  it("hands a freed slot to a waiting try and clears its reason; running tries keep theirs", () => {
    const a = warehouseDag("a", 3);
    const run = runOf(a, "2026-05-01T09:00:00.000Z", "a-run");
    const state = stateOf(run);
    const ctx = context({ warehouse: 2 });
    expect(launched(advanceRuns(state, NOW, ctx))).toEqual(["a-run/t0", "a-run/t1"]);
    startTry(task(run, "t0"), null, NOW);
    startTry(task(run, "t1"), null, NOW);
    // Nothing freed: no launch, still waiting.
    expect(launched(advanceRuns(state, NOW, ctx))).toEqual([]);
    expect(task(run, "t2").reason).toBe("waiting for pool warehouse (2/2 used)");
    finishTry(task(run, "t0"), a.tasks[0]!, { ok: true, exitCode: 0, reason: null }, NOW);
    expect(launched(advanceRuns(state, NOW, ctx))).toEqual(["a-run/t2"]);
    expect(task(run, "t2")).toMatchObject({ state: "queued", reason: null });
    expect(poolUsage(state, ctx)).toEqual([{ name: "warehouse", slots: 2, used: 2, queued: 0 }]);
  });

  it("lets a due retry wait for a slot; a retry not yet due holds none", () => {
    const a = warehouseDag("a", 2, { retries: 1, retryDelay: "1m" });
    const run = runOf(a, "2026-05-01T09:00:00.000Z", "a-run");
    const state = stateOf(run);
    const ctx = context({ warehouse: 1 });
    expect(launched(advanceRuns(state, NOW, ctx))).toEqual(["a-run/t0"]);
    finish(run, "t0", a, false);
    expect(task(run, "t0").state).toBe("up_for_retry");
    // t0 waits out its retry delay without a slot: t1 takes it.
    expect(launched(advanceRuns(state, NOW, ctx))).toEqual(["a-run/t1"]);
    startTry(task(run, "t1"), null, NOW);
    // t0's retry is due but the pool is full: it stays up_for_retry and says why.
    expect(launched(advanceRuns(state, LATER, ctx))).toEqual([]);
    expect(task(run, "t0")).toMatchObject({
      state: "up_for_retry",
      try: 1,
      reason: "waiting for pool warehouse (1/1 used)",
    });
    // Waiting for a slot is not a due time: the loop must not spin on it (a try's end wakes it).
    const wake = nextWakeAt(state, [], LATER, { ...ctx, dueTimes: () => [], maxSleepMs: 60_000 });
    expect(wake).toBe(LATER.getTime() + 60_000);
    finishTry(task(run, "t1"), a.tasks[1]!, { ok: true, exitCode: 0, reason: null }, LATER);
    expect(launched(advanceRuns(state, LATER, ctx))).toEqual(["a-run/t0"]);
    expect(task(run, "t0")).toMatchObject({ state: "queued", try: 2, reason: null });
  });

  it("counts as it hands out across runs of many DAGs, never above the slots", () => {
    const runs = Array.from({ length: 4 }, (_, i) =>
      runOf(warehouseDag(`d${i}`, 50), `2026-05-01T0${i}:00:00.000Z`, `r${i}`),
    );
    const state = stateOf(...runs);
    const ctx = context({ warehouse: 4 });
    let live = 0;
    let rounds = 0;
    while (Object.values(state.runs).some((run) => run.state !== "success") && rounds++ < 500) {
      const advance = advanceRuns(state, NOW, ctx);
      live += advance.launches.length;
      const used = Object.values(state.runs)
        .flatMap((run) => run.tasks)
        .filter((instance) => instance.state === "queued" || instance.state === "running").length;
      expect(used).toBeLessThanOrEqual(4);
      expect(used).toBe(live);
      // The oldest queued try ends each round, freeing one slot.
      const first =
        advance.launches[0] ??
        Object.values(state.runs)
          .flatMap((run) => run.tasks.map((instance) => ({ run, instance })))
          .find(({ instance }) => instance.state === "queued");
      if (!first) continue;
      const { run, instance } = first;
      const definition = run.definition;
      if (!definition) throw new Error("no definition");
      startTry(instance, null, NOW);
      finishTry(instance, definition.tasks[0]!, { ok: true, exitCode: 0, reason: null }, NOW);
      live -= 1;
    }
    expect(runs.map((run) => run.state)).toEqual(["success", "success", "success", "success"]);
  });

  it("fails a try whose pool is not defined, naming the flag that defines it; downstream follows", () => {
    const a = buildDag({
      id: "a",
      tasks: [pod("load", { pool: "gpu" }), pod("report", { dependsOn: ["load"] }), pod("free")],
    });
    const run = runOf(a);
    const advance = advanceRuns(stateOf(run), NOW, context({ warehouse: 4 }));
    expect(launched(advance)).toEqual(["run-1/free"]);
    expect(statesOf(run)).toEqual({ load: "failed", report: "upstream_failed", free: "queued" });
    expect(task(run, "load").reason).toBe('pool "gpu" is not defined (updraft run --pool gpu=N)');
  });

  it("leaves tasks without a pool alone, with or without pools declared", () => {
    const a = buildDag({ id: "a", tasks: [pod("x"), pod("y")] });
    const run = runOf(a);
    expect(launched(advanceRuns(stateOf(run), NOW, { definitionOf: (r: Run) => r.definition }))).toEqual([
      "run-1/x",
      "run-1/y",
    ]);
  });
});
