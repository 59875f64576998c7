// Issue 17 point 3 (lag): state.json's text splices each definition's cached JSON in instead of
// serialising it again. It must be exactly JSON.stringify of the state (definitions first).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { definitionKeyOf, type Run } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { activeStateText } from "../../src/store/active-state-text.ts";
import { idRecord } from "../../src/store/id-record.ts";
import { emptyActiveState, RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");
const runOf = (dagId: string, id: string, conf: Record<string, unknown> = {}): Run =>
  newRun(dag(dagId, { tasks: [pod("only", { command: ["echo", '"quoted" \u2028 {{ ds }}'] })] }), {
    id,
    trigger: "manual",
    logicalDate: at,
    conf,
    commit: null,
    snapshot: "/s",
    now: at,
  });

function stateWith(runs: Run[]): ActiveState {
  const state = emptyActiveState();
  for (const run of runs) {
    const { definition, ...rest } = run;
    if (definition) state.definitions[definitionKeyOf(definition)] = definition;
    state.runs[run.id] = { ...rest, ...(definition ? { definitionKey: definitionKeyOf(definition) } : {}) };
  }
  state.dags["d1"] = { paused: false, lastScheduledAt: null, skipped: [] };
  return state;
}

describe("activeStateText", () => {
  it("is JSON.stringify of the state with the definitions first", () => {
    const state = stateWith([
      // A conf that looks like the spliced part must not fool it.
      runOf("d1", "r1", { definitions: {}, '{"definitions":{}': 1 }),
      runOf("d2", "r2"),
      runOf("__proto__", "r3"),
    ]);
    // Serialised (and cached) once before: the text must follow the same definitions.
    for (const definition of Object.values(state.definitions)) definitionKeyOf(definition);
    const { definitions, ...rest } = state;
    expect(activeStateText(state)).toBe(JSON.stringify({ definitions, ...rest }));
    expect(JSON.parse(activeStateText(state))).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it("writes empty state and undefined entries as JSON.stringify does", () => {
    const empty = emptyActiveState();
    const { definitions: none, ...others } = empty;
    expect(activeStateText(empty)).toBe(JSON.stringify({ definitions: none, ...others }));
    const holes = { ...emptyActiveState(), definitions: idRecord<never>() } as ActiveState;
    (holes.definitions as Record<string, unknown>)["gone"] = undefined;
    const { definitions, ...rest } = holes;
    expect(activeStateText(holes)).toBe(JSON.stringify({ definitions, ...rest }));
  });

  it("is what the store writes, and reads back", async () => {
    const dir = await cleanup.tempDir("updraft-state-text-");
    const store = await RunStore.open(dir);
    await store.update((state) => {
      store.addRun(state, runOf("d1", "r1", { k: "v" }));
      store.addRun(state, runOf("d2", "r2"));
    });
    const text = await readFile(path.join(dir, "state.json"), "utf8");
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(store.state)));
    const reread = await RunStore.open(dir);
    expect(reread.state.runs).toEqual(store.state.runs);
    expect(reread.definitionOf(reread.state.runs["r2"] as Run)).toEqual(
      store.definitionOf(store.state.runs["r2"] as Run),
    );
  });
});
