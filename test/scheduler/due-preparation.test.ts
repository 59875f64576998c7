// DuePreparation on its own (the scheduler-level comparison is test/scheduler-loop/due-preparation.test.ts):
// which DAGs it prepares, when a prepared run is no longer taken, and a due second that comes while
// a pass is still under way.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { DUE, EVERY_MINUTE, LAST, preparedStore, turns } from "./support/prepared-store.ts";

const cleanup = useCleanup("file");
const setup = (definitions: DagDefinition[]) => preparedStore(cleanup, definitions);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

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

  it("passes again shortly before the due second when the state changed after a whole pass, so the due second checks no run", async () => {
    // Timers faked (the recheck is a timeout), turns of the event loop real (a pass's chunks).
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const takenWith = async (recheck: boolean) => {
      const { store, dags, preparation, registry } = await setup([
        dag("a", EVERY_MINUTE),
        dag("b", EVERY_MINUTE),
      ]);
      preparation.afterTick(DUE, dags);
      await turns(3);
      // After the whole pass: another DAG's run ends, say (here a DAG state of its own).
      await store.update((state) => {
        state.dags["other"] = { paused: false, lastScheduledAt: null, skipped: [] };
      });
      if (recheck) {
        // The clock reads a minute before DUE: the recheck is due 300 ms before DUE.
        vi.advanceTimersByTime(60_000 - 300);
        await turns(3);
      }
      const lookups = vi.spyOn(registry, "get");
      let created: string[] = [];
      await store.update((state) => {
        created = preparation.take(state, new Date(DUE), dags).created.map((run) => run.id);
      });
      return { created, lookups: lookups.mock.calls.length };
    };
    const expected = ["a__scheduled__20260501T100000Z", "b__scheduled__20260501T100000Z"];
    // Without the recheck, each prepared run is checked at the due second (a registry lookup each).
    expect(await takenWith(false)).toEqual({ created: expected, lookups: 2 });
    expect(await takenWith(true)).toEqual({ created: expected, lookups: 0 });
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
