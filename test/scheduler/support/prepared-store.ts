import type { ActiveDag } from "../../../src/dags/active-dags.ts";
import type { DagDefinition } from "../../../src/dags/spec/dag-schema.ts";
import { DuePreparation } from "../../../src/scheduler/due-preparation.ts";
import { DueTimesCache } from "../../../src/scheduler/due-times.ts";
import type { TickContext } from "../../../src/scheduler/plan-tick.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import type { Cleanup } from "../../support/cleanup.ts";

export const LAST = "2026-05-01T09:59:00.000Z";
export const DUE = Date.parse("2026-05-01T10:00:00.000Z");
export const EVERY_MINUTE = { schedule: "* * * * *" };

/**
 * A DuePreparation over a real RunStore whose DAGs were last scheduled at LAST (so each is due at
 * DUE), with the registry the loaded `definitions` and a clock a minute before DUE (or `now`).
 */
export async function preparedStore(
  cleanup: Cleanup,
  definitions: DagDefinition[],
  now: () => Date = () => new Date(DUE - 60_000),
) {
  const dir = await cleanup.tempDir("updraft-due-preparation-");
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
  const registry = { get: (id: string) => byId.get(id) };
  const context: TickContext = {
    book: store,
    definitionOf: (run) => store.definitionOf(run),
    dueTimes: new DueTimesCache().get,
    maxSleepMs: 5000,
  };
  const preparation = new DuePreparation({
    store,
    registry,
    context,
    logsDir: `${dir}/logs`,
    now,
  });
  return { dir, store, dags, preparation, registry, context };
}

/** Lets `count` turns of the event loop pass (a preparation pass makes a chunk per turn). */
export async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}
