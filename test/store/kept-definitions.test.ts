// Issue 17 (lag): the loaded DAGs' definitions are written ahead of their runs and kept while loaded,
// so a due second's write holds only its runs; definitions no longer loaded go once no run uses them.
import { describe, expect, it } from "vitest";
import { definitionKeyOf } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");
const daily = dag("daily", { tasks: [pod("only")] });
const hourly = dag("hourly", { tasks: [pod("only")] });
const runOf = (definition: typeof daily, id: string) =>
  newRun(definition, {
    id,
    trigger: "scheduled",
    logicalDate: at,
    conf: {},
    commit: null,
    snapshot: "/s",
    now: at,
  });

describe("definitions kept ahead of their runs", () => {
  it("writes them once, ahead; a run's write then holds no definition; they outlive their runs while loaded", async () => {
    const dir = await cleanup.tempDir("kept-definitions");
    const appended: string[] = [];
    const store = await RunStore.open(dir, {
      writer: {
        write: durableStateWriter.write,
        append: async (file, text) => (appended.push(text), durableStateWriter.append?.(file, text)),
      },
    });
    await store.keepDefinitions([daily, hourly]);
    expect(Object.keys(store.state.definitions).sort()).toEqual(
      [definitionKeyOf(daily), definitionKeyOf(hourly)].sort(),
    );
    appended.length = 0;
    const run = runOf(daily, "daily__1");
    await store.update((state) => store.addRun(state, run));
    expect(appended).toHaveLength(1);
    expect(appended[0]).not.toContain('"definitions"');
    await store.archive({ ...store.state.runs["daily__1"]!, state: "success", endedAt: at.toISOString() });
    // Still loaded: kept with no run using it.
    expect(Object.hasOwn(store.state.definitions, definitionKeyOf(daily))).toBe(true);

    // daily is no longer loaded (deleted from the repository), hourly changed: both old keys released.
    const hourlyChanged = dag("hourly", { tasks: [pod("only"), pod("more")] });
    await store.keepDefinitions([hourlyChanged], [definitionKeyOf(daily), definitionKeyOf(hourly)]);
    expect(Object.keys(store.state.definitions)).toEqual([definitionKeyOf(hourlyChanged)]);
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.definitions)).toEqual([definitionKeyOf(hourlyChanged)]);
  });

  it("keeps a definition an active run uses after its DAG is no longer loaded, until the run is archived", async () => {
    const dir = await cleanup.tempDir("kept-definitions-active");
    const store = await RunStore.open(dir);
    await store.keepDefinitions([daily]);
    await store.update((state) => store.addRun(state, runOf(daily, "daily__1")));
    await store.keepDefinitions([], [definitionKeyOf(daily)]);
    expect(Object.keys(store.state.definitions)).toEqual([definitionKeyOf(daily)]);
    expect(store.definitionOf(store.state.runs["daily__1"]!)).toEqual(daily);
    await store.archive({ ...store.state.runs["daily__1"]!, state: "success", endedAt: at.toISOString() });
    expect(Object.keys(store.state.definitions)).toEqual([]);
  });
});
