// Attacks on DuePreparation with a real store (the scheduler-level comparisons are in
// test/scheduler-loop/due-preparation-attack.test.ts): changes that land in the same group commit
// as the due step, before it.
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { DagState } from "../../src/runs/active-state.ts";
import { dag } from "../scheduler-loop/harness.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { DUE, EVERY_MINUTE, LAST, preparedStore, turns } from "./support/prepared-store.ts";

const cleanup = useCleanup("file");
const setup = (definitions: DagDefinition[]) => preparedStore(cleanup, definitions);

describe("DuePreparation, attacked", () => {
  it("sees a change applied before the due step in the same group commit (a pause, in place)", async () => {
    const { dir, store, dags, preparation } = await setup([dag("a", EVERY_MINUTE), dag("b", EVERY_MINUTE)]);
    preparation.afterTick(DUE, dags);
    await turns(3);
    // A write in flight: the next two changes wait for it and are applied together, in order.
    const inFlight = store.update(() => undefined);
    const pause = store.update((state) => {
      (state.dags["a"] as DagState).paused = true;
    });
    let created: string[] = [];
    const due = store.update((state) => {
      created = preparation.take(state, new Date(DUE), dags).created.map((run) => run.id);
    });
    await Promise.all([inFlight, pause, due]);
    expect(created).toEqual(["b__scheduled__20260501T100000Z"]);
    expect(Object.keys(store.state.runs)).toEqual(["b__scheduled__20260501T100000Z"]);
    expect(store.state.dags["a"]?.lastScheduledAt).toBe(LAST);
    const reread = await RunStore.open(dir);
    expect(JSON.parse(JSON.stringify(reread.state))).toEqual(JSON.parse(JSON.stringify(store.state)));
  });
});

describe("DuePreparation, a wake-up before the prepared due second", () => {
  it("keeps what was prepared (a retry or a timeout due first does not drop 10:00's runs)", async () => {
    const definitions = Array.from({ length: 1200 }, (_, i) => dag(`d${i}`, EVERY_MINUTE));
    const { store, dags, preparation } = await setup(definitions);
    preparation.afterTick(DUE, dags);
    await turns(5);
    // A tick for a retry due 500 ms before 10:00, then, at it, the loop sleeps until 10:00 again.
    preparation.afterTick(DUE - 500, dags);
    await turns(1);
    preparation.afterTick(DUE, dags);
    await turns(1);
    let taken = 0;
    await store.update((state) => {
      taken = preparation.take(state, new Date(DUE), dags).created.length;
    });
    expect(taken).toBe(1200);
  });
});

describe("DuePreparation.take, called early", () => {
  it("creates nothing before the due second, and keeps the runs for it", async () => {
    const { store, dags, preparation } = await setup([dag("a", EVERY_MINUTE)]);
    preparation.afterTick(DUE, dags);
    await turns(3);
    let early = -1;
    await store.update((state) => {
      early = preparation.take(state, new Date(DUE - 1000), dags).created.length;
    });
    expect(early).toBe(0);
    expect(store.state.runs).toEqual({});
    expect(store.state.dags["a"]?.lastScheduledAt).toBe(LAST);
    let due: string[] = [];
    await store.update((state) => {
      due = preparation.take(state, new Date(DUE), dags).created.map((run) => run.id);
    });
    expect(due).toEqual(["a__scheduled__20260501T100000Z"]);
  });
});
