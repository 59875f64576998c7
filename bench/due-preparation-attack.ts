// What the due second prepared while idle holds and costs at 10,000 DAGs (attack5's notes,
// docs/perf-notes/attack5.md): the heap held by the prepared runs, a whole pass, an incremental
// pass after a store change (and its longest turn of the event loop), and a wake-up due before the
// prepared second followed by the due one. Figures only (no PASS/MISS: no target is set for them).
// Run alone: flock /work/wt/bench.lock node --expose-gc --import tsx bench/due-preparation-attack.ts
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ActiveDag } from "../src/dags/active-dags.ts";
import { dagSchema } from "../src/dags/spec/dag-schema.ts";
import type { DagState } from "../src/runs/active-state.ts";
import { DuePreparation } from "../src/scheduler/due-preparation.ts";
import { DueTimesCache } from "../src/scheduler/due-times.ts";
import { RunStore } from "../src/store/run-store.ts";

const N = Number(process.env.N ?? 10_000);
const LAST = "2026-05-01T09:59:00.000Z";
const DUE = Date.parse("2026-05-01T10:00:00.000Z");
const load = () => `load ${(os.loadavg()[0] ?? 0).toFixed(2)}`;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const dir = mkdtempSync(path.join(os.tmpdir(), "updraft-due-preparation-"));
const store = await RunStore.open(dir);
const definitions = Array.from({ length: N }, (_, i) =>
  dagSchema.parse({
    kind: "dag",
    id: `d${i}`,
    schedule: "* * * * *",
    tasks: [{ kind: "pod", id: "only", image: "busybox", command: ["echo", "x"] }],
  }),
);
await store.update((state) => {
  for (const { id } of definitions) state.dags[id] = { paused: false, lastScheduledAt: LAST, skipped: [] };
});
const dags = definitions.map((definition) => ({ definition, commit: null, snapshot: "/x" })) as ActiveDag[];
const byId = new Map(dags.map((dag) => [dag.definition.id, dag]));
const dueTimes = new DueTimesCache().get;
for (const definition of definitions) dueTimes(definition, store.state.dags[definition.id] as DagState);
const preparation = new DuePreparation({
  store,
  registry: { get: (id) => byId.get(id) },
  context: { book: store, definitionOf: (run) => store.definitionOf(run), dueTimes, maxSleepMs: 5000 },
  logsDir: path.join(dir, "logs"),
  now: () => new Date(DUE - 60_000),
});

/** Turns of the event loop until a pass is surely done; the longest one. */
async function passTurns(): Promise<number> {
  let longest = 0;
  for (let i = 0; i < N / 500 + 3; i++) {
    const start = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    longest = Math.max(longest, performance.now() - start);
  }
  return longest;
}

gc();
const heapBefore = process.memoryUsage().heapUsed;
let start = performance.now();
preparation.afterTick(DUE, dags);
await passTurns();
const passMs = performance.now() - start;
gc();
const held = process.memoryUsage().heapUsed - heapBefore;
console.log(
  `${N} DAGs: whole pass ${passMs.toFixed(0)} ms, held ${(held / 1e6).toFixed(1)} MB (${(held / N / 1e3).toFixed(2)} kB/DAG) ${load()}`,
);
for (let i = 0; i < 3; i++) {
  await store.update(() => undefined);
  start = performance.now();
  preparation.afterTick(DUE, dags);
  const longest = await passTurns();
  console.log(
    `incremental pass after a change ${(performance.now() - start).toFixed(0)} ms, longest turn ${longest.toFixed(1)} ms ${load()}`,
  );
}
start = performance.now();
preparation.afterTick(DUE - 1000, dags);
await passTurns();
preparation.afterTick(DUE, dags);
await passTurns();
console.log(
  `a wake-up 1 s before, then the due second again: ${(performance.now() - start).toFixed(0)} ms ${load()}`,
);
let taken = 0;
await store.update((state) => {
  taken = preparation.take(state, new Date(DUE), dags).created.length;
});
console.log(`taken at the due second: ${taken} of ${N}`);
rmSync(dir, { recursive: true, force: true });
