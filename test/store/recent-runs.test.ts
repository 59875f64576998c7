// recentRuns keeps the newest `limit` as candidates come instead of sorting them all (issue 17):
// the answer is the one the sort gave.
import { expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");

function runOf(dagId: string, id: string, queuedMs: number): Run {
  return oneTaskRun(dagId, id, new Date(queuedMs));
}

/** What recentRuns answered before: every candidate sorted newest first, then cut. */
function bySort(active: Run[], history: Map<string, Run[]>, limit: number): string[] {
  const all = [...active];
  for (const runs of history.values()) all.push(...runs.slice(-limit));
  return all
    .sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0))
    .slice(0, limit)
    .map((run) => run.id);
}

it("answers the newest runs across DAGs, active and archived, as sorting all of them did", async () => {
  const store = await RunStore.open(await cleanup.tempDir("recent-runs"), { keepRuns: 30 });
  const history = new Map<string, Run[]>();
  const start = Date.parse("2026-01-01T00:00:00Z");
  // Archived out of queue order, with gaps, so neither order nor the per-DAG cut is trivially right.
  for (let d = 0; d < 6; d++) {
    const dagId = `dag_${d}`;
    const runs: Run[] = [];
    for (let k = 0; k < 12; k++) {
      const run = runOf(dagId, `${dagId}__${k}`, start + ((k * 37 + d * 101) % 97) * 60_000);
      await store.archive({ ...run, state: "success" });
      const { definition: _d, ...stored } = run;
      runs.push(stored as Run);
    }
    history.set(dagId, runs);
  }
  const active = [runOf("dag_2", "active_new", start + 200 * 60_000), runOf("dag_9", "active_old", start)];
  await store.update((state) => {
    for (const run of active) store.addRun(state, run);
  });
  for (const limit of [0, 1, 5, 10, 25, 100])
    expect(
      store.recentRuns(limit).map((run) => run.id),
      `limit ${limit}`,
    ).toEqual(bySort(active, history, limit));
});
