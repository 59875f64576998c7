// Attacks on the recheck of the due second (src/scheduler/due-preparation.ts): a pass shortly
// before the due second when the state changed after the last pass. A change during the recheck
// pass itself must leave the due second checking run by run; a cleared preparation never passes
// again; ticks for the same second never pile timers up; and a clock read far before the due
// second (it went back) must not turn the recheck into a pass at once (a setTimeout delay over
// 2^31 - 1 ms fires after 1 ms, with a TimeoutOverflowWarning).
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { dag } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { DUE, EVERY_MINUTE, preparedStore, turns } from "./support/prepared-store.ts";

const cleanup = useCleanup("file");
const many = (count: number): DagDefinition[] =>
  Array.from({ length: count }, (_, i) => dag(`d${i}`, EVERY_MINUTE));

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A change no prepared run depends on (a DAG state of its own). */
const unrelated = (name: string) => (state: { dags: Record<string, unknown> }) => {
  state.dags[name] = { paused: false, lastScheduledAt: null, skipped: [] };
};

describe("the due second's recheck, attacked", () => {
  it("a DAG paused during the recheck pass is not created at the due second", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { store, dags, preparation } = await preparedStore(cleanup, many(1200));
    preparation.afterTick(DUE, dags);
    await turns(5);
    await store.update(unrelated("other"));
    vi.advanceTimersByTime(60_000 - 300);
    // The recheck pass's first chunk (every prepared run checked), then a pause before it ends.
    await turns(1);
    await store.update((state) => {
      const paused = state.dags["d0"];
      if (paused) paused.paused = true;
    });
    await turns(5);
    let created: string[] = [];
    await store.update((state) => {
      created = preparation.take(state, new Date(DUE), dags).created.map((run) => run.id);
    });
    expect(created).toHaveLength(1199);
    expect(created).not.toContain("d0__scheduled__20260501T100000Z");
  });

  it("a cleared preparation never passes again, and ticks for the same second keep one timer", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { store, dags, preparation, registry } = await preparedStore(cleanup, many(3));
    for (let i = 0; i < 20; i++) {
      preparation.afterTick(DUE, dags);
      await turns(2);
      await store.update(unrelated(`other${i}`));
    }
    expect(vi.getTimerCount()).toBe(1);
    preparation.clear();
    expect(vi.getTimerCount()).toBe(0);
    const lookups = vi.spyOn(registry, "get");
    vi.advanceTimersByTime(60_000);
    await turns(5);
    expect(lookups).not.toHaveBeenCalled();
  });

  it("a wake-up with nothing due (the loop's longest sleep) passes once, not again before it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { store, dags, preparation, context } = await preparedStore(cleanup, many(3));
    // The loop sleeps 30 s, capped: no DAG is due then, so nothing is prepared.
    const capped = DUE - 30_000;
    preparation.afterTick(capped, dags);
    await turns(3);
    expect(preparation.ready(new Date(capped))).toBe(false);
    await store.update(unrelated("other"));
    const dueTimes = vi.spyOn(context, "dueTimes");
    vi.advanceTimersByTime(30_000 - 300);
    await turns(3);
    // A recheck here would be a pass over every DAG for nothing.
    expect(dueTimes).not.toHaveBeenCalled();
  });

  it("a clock read 40 days before the due second: no recheck at once, no overflow warning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const now = () => new Date(DUE - 40 * 86_400_000);
      const { store, dags, preparation, registry } = await preparedStore(cleanup, many(1200), now);
      const lookups = vi.spyOn(registry, "get");
      preparation.afterTick(DUE, dags);
      // A change during the pass (a burst of writes at start): the recheck is due 40 days on.
      await turns(1);
      await store.update(unrelated("other"));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await turns(5);
      // A recheck pass checks each prepared run (a registry lookup each); the first pass checks none.
      expect(lookups).not.toHaveBeenCalled();
      expect(warnings).not.toContain("TimeoutOverflowWarning");
      preparation.clear();
    } finally {
      process.off("warning", onWarning);
    }
  });
});
