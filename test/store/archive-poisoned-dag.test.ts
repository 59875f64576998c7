// Issue 17 attack on the batched archive: one DAG whose history file cannot be written or read (an
// operator made it a folder; the same for a corrupt file) must not stop every other DAG's finished
// runs from being archived. Every tick hands all final runs to archiveAll again; before, the one
// bad file failed the whole batch, so no run of any DAG left state.json again (state grew with every
// finished run, and the good DAGs' histories were rewritten at every step).
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { finishedOneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");

const finished = (dagId: string, n: number): Run =>
  finishedOneTaskRun(dagId, `${dagId}${n}`, new Date(Date.UTC(2026, 2, 1 + n)));

describe("archiveAll with one DAG whose history cannot be written", () => {
  it("archives the other DAGs' runs, keeps the bad DAG's run active, and rejects naming the file", async () => {
    const dir = await cleanup.tempDir("archive-poisoned");
    const store = await RunStore.open(dir, { historyCacheBytes: 1 });
    await store.update((state) => store.addRun(state, finished("x", 0)));
    await store.archive(finished("x", 0));
    const file = path.join(dir, "runs", "x.json");
    await rm(file);
    await mkdir(file);
    const runs = [finished("a", 1), finished("x", 1), finished("b", 1)];
    await store.update((state) => {
      for (const run of runs) store.addRun(state, run);
    });
    await expect(store.archiveAll(runs)).rejects.toThrow("x.json");
    expect(Object.keys(store.state.runs)).toEqual(["x1"]);
    expect(store.runsOf("a", 10).map((run) => run.id)).toEqual(["a1"]);
    expect(store.runsOf("b", 10).map((run) => run.id)).toEqual(["b1"]);
    // Once the operator puts the file back, the next tick archives the rest.
    await rm(file, { recursive: true });
    await store.archiveAll([store.getRun("x1") as Run]);
    expect(Object.keys(store.state.runs)).toEqual([]);
    const reopened = await RunStore.open(dir);
    expect(
      reopened
        .allRuns(10)
        .map((run) => run.id)
        .sort(),
    ).toEqual(["a1", "b1", "x1"]);
  });
});

describe("archiveAll when the disk refuses history writes", () => {
  it("rejects, keeps every run active, and the store reports the write error until a write succeeds", async () => {
    const dir = await cleanup.tempDir("archive-enospc");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    const runs = [finished("a", 1), finished("b", 1)];
    await store.update((state) => {
      for (const run of runs) store.addRun(state, run);
    });
    writer.fail("ENOSPC", (file) => path.basename(file) !== "state.json");
    await expect(store.archiveAll(runs)).rejects.toMatchObject({ code: "ENOSPC" });
    expect(Object.keys(store.state.runs)).toEqual(["a1", "b1"]);
    expect(store.writeError?.message).toContain("ENOSPC");
    writer.succeed();
    await store.archiveAll(runs);
    expect(store.writeError).toBeUndefined();
    expect(Object.keys(store.state.runs)).toEqual([]);
  });
});
