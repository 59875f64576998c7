// addRun stores a copy of a run holding its definition's key, not the definition (one copy per
// distinct definition, spliced into state.json from its cached text); the caller's run keeps its own.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");
const definition = dag("a", { tasks: [pod("only")] });
const fresh = (id: string): Run =>
  newRun(definition, {
    id,
    trigger: "manual",
    logicalDate: at,
    conf: {},
    commit: null,
    snapshot: "/s",
    now: at,
  });

describe("addRun", () => {
  it("stores a copy holding the definition's key, not the definition; the given run is unchanged", async () => {
    const dir = await cleanup.tempDir("updraft-add-run-");
    const store = await RunStore.open(dir);
    const given = { ...fresh("r1"), triggeredBy: "ann" };
    await store.update((state) => store.addRun(state, given));
    const stored = store.state.runs["r1"] as Run;
    expect(stored).not.toBe(given);
    expect(Object.hasOwn(stored, "definition")).toBe(false);
    expect(stored.definitionKey).toMatch(/^a@[0-9a-f]{16}$/);
    expect(store.definitionOf(stored)).toBe(definition);
    expect(stored.triggeredBy).toBe("ann");
    expect(given.definition).toBe(definition);
    expect(Object.hasOwn(given, "definitionKey")).toBe(false);
    // A run already without its definition is stored as a copy too.
    const { definition: _d, ...bare } = fresh("r2");
    await store.update((state) => store.addRun(state, bare));
    expect(store.state.runs["r2"]).not.toBe(bare);
    expect(store.state.runs["r2"]).toStrictEqual(bare);
    // What reaches the disk and is read back: the same runs, definitions by key.
    const reread = await RunStore.open(dir);
    expect(reread.state.runs["r1"]).toStrictEqual(stored);
    expect(reread.definitionOf(reread.state.runs["r1"] as Run)).toStrictEqual(definition);
  });
});
