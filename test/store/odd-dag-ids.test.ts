// Issue 17 attack on the paged history: DAG ids that are object keys, dot-files or at the length
// limit are archived, read from disk after a restart (the cache empty) and paged like any other.
import { describe, expect, it } from "vitest";
import { MAX_DAG_ID_LENGTH } from "../../src/dags/spec/refinements.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { finishedOneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");

const ids = [
  "__proto__",
  "constructor",
  "hasOwnProperty",
  ".hidden",
  "..x",
  "a.json",
  "-",
  "x".repeat(MAX_DAG_ID_LENGTH),
];

const finished = (dagId: string, n: number): Run =>
  finishedOneTaskRun(dagId, `${dagId}__manual__${n}`, new Date(Date.UTC(2026, 2, 1 + n)));

describe("DAG ids that are odd as keys or file names", () => {
  it("are archived, and after a restart every run is read back from its own file and paged", async () => {
    const dir = await cleanup.tempDir("odd-dag-ids");
    const store = await RunStore.open(dir, { keepRuns: 3 });
    for (const dagId of ids)
      for (const n of [0, 1, 2, 3]) {
        await store.update((state) => store.addRun(state, finished(dagId, n)));
        await store.archive(finished(dagId, n));
      }
    // A cache of one byte: each DAG's older runs come from disk.
    const reopened = await RunStore.open(dir, { keepRuns: 3, historyCacheBytes: 1 });
    for (const dagId of ids) {
      expect(
        reopened.runsOf(dagId, 10).map((run) => run.id),
        dagId,
      ).toEqual([3, 2, 1].map((n) => `${dagId}__manual__${n}`));
      expect(reopened.getRun(`${dagId}__manual__1`)?.dagId, dagId).toBe(dagId);
      expect(reopened.getRun(`${dagId}__manual__0`), dagId).toBeUndefined();
      const [newest] = reopened.runsOf(dagId, 1);
      expect(reopened.runsOf(dagId, 10, newest).map((run) => run.id)).toEqual(
        [2, 1].map((n) => `${dagId}__manual__${n}`),
      );
    }
    expect(reopened.allRuns(1000)).toHaveLength(ids.length * 3);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).dagId).toBeUndefined();
  });
});
