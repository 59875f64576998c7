// DuePreparation on its own (the scheduler-level comparison is test/scheduler-loop/due-preparation.test.ts):
// which DAGs it prepares, when a prepared run is no longer taken, and a due second that comes while
// a pass is still under way.
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { DUE, EVERY_MINUTE, LAST, preparedStore, turns } from "./support/prepared-store.ts";

const cleanup = useCleanup("file");
const setup = (definitions: DagDefinition[]) => preparedStore(cleanup, definitions);

describe("DuePreparation", () => {
  it("leaves out DAGs whose tasks take a pool slot (counted across DAGs at the due second)", async () => {
    const { store, dags, preparation } = await setup([
      dag("pooled", { ...EVERY_MINUTE, tasks: [pod("only", { pool: "db" })] }),
      dag("free", EVERY_MINUTE),
    ]);
    preparation.afterTick(DUE, dags);
    await turns(3);
    let created: string[] = [];
    await store.update((state) => {
      created = preparation.take(state, new Date(DUE), dags).created.map((run) => run.id);
    });
    expect(created).toEqual(["free__scheduled__20260501T100000Z"]);
  });

  it("does not take a run at a tick so late that the following interval is due too", async () => {
    const { store, dags, preparation } = await setup([dag("a", EVERY_MINUTE)]);
    preparation.afterTick(DUE, dags);
    await turns(3);
    expect(preparation.ready(new Date(DUE + 60_000))).toBe(true);
    let taken = -1;
    await store.update((state) => {
      taken = preparation.take(state, new Date(DUE + 60_000), dags).created.length;
    });
    expect(taken).toBe(0);
    expect(store.state.dags["a"]?.lastScheduledAt).toBe(LAST);
  });

  it("does not take a run of a DAG paused since (checked run by run once the state was written)", async () => {
    const { store, dags, preparation } = await setup([dag("a", EVERY_MINUTE), dag("b", EVERY_MINUTE)]);
    preparation.afterTick(DUE, dags);
    await turns(3);
    await store.update((state) => {
      const a = state.dags["a"];
      if (a) a.paused = true;
    });
    let created: string[] = [];
    await store.update((state) => {
      created = preparation.take(state, new Date(DUE), dags).created.map((run) => run.id);
    });
    expect(created).toEqual(["b__scheduled__20260501T100000Z"]);
  });

  it("at a due second that comes during a pass, takes what was prepared, and the pass stops", async () => {
    const definitions = Array.from({ length: 1200 }, (_, i) => dag(`d${i}`, EVERY_MINUTE));
    const { store, dags, preparation } = await setup(definitions);
    preparation.afterTick(DUE, dags);
    expect(preparation.ready(new Date(DUE))).toBe(false);
    await turns(1);
    let taken = 0;
    await store.update((state) => {
      taken = preparation.take(state, new Date(DUE), dags).created.length;
    });
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThan(1200);
    await turns(5);
    expect(preparation.ready(new Date(DUE))).toBe(false);
    expect(Object.keys(store.state.runs)).toHaveLength(taken);
  });
});
