// Issue 17 attack: a client pages /api/runs (runsOf, allRuns with a cursor) while runs are being
// archived between its pages: each run is listed exactly once across the pages, in order.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");

const run = (dagId: string, n: number): Run =>
  oneTaskRun(dagId, `${dagId}-${String(n).padStart(2, "0")}`, new Date(Date.UTC(2026, 2, 1, 0, n)));

const done = (r: Run): Run => ({ ...r, state: "success", endedAt: r.queuedAt });

describe("paging while runs are archived between pages", () => {
  for (const how of ["runsOf", "allRuns"] as const) {
    it(`(${how}) lists every run once, newest first`, async () => {
      const dir = await cleanup.tempDir(`paging-${how}`);
      const store = await RunStore.open(dir, { historyCacheBytes: 1 });
      const runs = ["a", "b"].flatMap((dagId) => Array.from({ length: 12 }, (_, n) => run(dagId, n)));
      // Half archived before the first page, half active.
      for (const r of runs) await store.update((state) => store.addRun(state, r));
      await store.archiveAll(runs.filter((_, i) => i % 2 === 0).map(done));
      const page = (before?: Run) =>
        how === "runsOf" ? store.runsOf("a", 5, before) : store.allRuns(5, before);
      const seen: string[] = [];
      let last: Run | undefined;
      for (let turn = 0; turn < 20; turn++) {
        const got = page(last);
        if (got.length === 0) break;
        seen.push(...got.map((r) => r.id));
        last = got.at(-1);
        // Between two pages: archive what is still active, a few at a time, newest and oldest.
        const active = Object.values(store.state.runs);
        await store.archiveAll([active[0], active.at(-1)].filter((r) => r !== undefined).map(done));
      }
      const expected = runs
        .filter((r) => how === "allRuns" || r.dagId === "a")
        .sort((x, y) =>
          x.logicalDate === y.logicalDate ? (x.id < y.id ? 1 : -1) : x.logicalDate < y.logicalDate ? 1 : -1,
        )
        .map((r) => r.id);
      expect(seen).toEqual(expected);
    });
  }
});
