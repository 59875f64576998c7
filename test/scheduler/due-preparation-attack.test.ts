// Attacks on DuePreparation with a real store (the scheduler-level comparisons are in
// test/scheduler-loop/due-preparation-attack.test.ts): changes that land in the same group commit
// as the due step, before it.
import { describe, expect, it } from "vitest";
import type { ActiveDag } from "../../src/dags/active-dags.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { DagState } from "../../src/runs/active-state.ts";
import { DuePreparation } from "../../src/scheduler/due-preparation.ts";
import { DueTimesCache } from "../../src/scheduler/due-times.ts";
import type { TickContext } from "../../src/scheduler/plan-tick.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const LAST = "2026-05-01T09:59:00.000Z";
const DUE = Date.parse("2026-05-01T10:00:00.000Z");
const EVERY_MINUTE = { schedule: "* * * * *" };

async function setup(definitions: DagDefinition[]) {
  const dir = await cleanup.tempDir("updraft-due-preparation-attack-");
  const store = await RunStore.open(dir);
  await store.update((state) => {
    for (const { id } of definitions) state.dags[id] = { paused: false, lastScheduledAt: LAST, skipped: [] };
  });
  const dags = definitions.map((definition) => ({
    definition,
    commit: null,
    snapshot: "/x",
    file: `${definition.id}.ts`,
    line: 1,
  })) as unknown as ActiveDag[];
  const byId = new Map(dags.map((active) => [active.definition.id, active]));
  const context: TickContext = {
    book: store,
    definitionOf: (run) => store.definitionOf(run),
    dueTimes: new DueTimesCache().get,
    maxSleepMs: 5000,
  };
  const preparation = new DuePreparation({
    store,
    registry: { get: (id) => byId.get(id) },
    context,
    logsDir: `${dir}/logs`,
    now: () => new Date(DUE - 60_000),
  });
  return { dir, store, dags, preparation };
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

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
