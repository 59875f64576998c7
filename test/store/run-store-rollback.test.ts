// A write the disk refused leaves the store as it was on disk: nothing half-applied stays visible.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";

const cleanup = useCleanup("file");

const definition = dag("rolled", { tasks: [pod("only")] });
const run = (id: string): Run =>
  newRun(definition, {
    id,
    trigger: "manual",
    logicalDate: new Date("2026-03-01T00:00:00Z"),
    conf: { secret: "conf" },
    commit: null,
    snapshot: "/snapshots/a",
    now: new Date("2026-03-01T00:00:00Z"),
  });

describe("RunStore with a disk that refuses writes", () => {
  it("rolls an update back: the run is neither in memory nor on disk, and the next write succeeds", async () => {
    const dir = await cleanup.tempDir("rollback-update");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, run("kept")));
    writer.fail("ENOSPC");
    await expect(store.update((state) => store.addRun(state, run("refused")))).rejects.toMatchObject({
      code: "ENOSPC",
    });
    expect(store.getRun("refused")).toBeUndefined();
    expect(Object.keys(store.state.runs)).toEqual(["kept"]);
    expect(store.state.definitions).not.toEqual({});
    expect(store.writeError?.message).toContain("ENOSPC");

    writer.succeed();
    await store.update((state) => store.addRun(state, run("later")));
    expect(store.writeError).toBeUndefined();
    const onDisk = JSON.parse(await readFile(path.join(dir, "state.json"), "utf8")) as { runs: object };
    expect(Object.keys(onDisk.runs).sort()).toEqual(["kept", "later"]);
  });

  it("an archive whose state write failed is retried without a second copy in the history", async () => {
    const dir = await cleanup.tempDir("rollback-archive");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, run("done")));
    const finished = { ...store.getRun("done"), state: "success" } as Run;
    writer.fail("EIO", (file) => path.basename(file) === "state.json");
    await expect(store.archive(finished)).rejects.toMatchObject({ code: "EIO" });
    expect(store.state.runs.done).toBeDefined();
    writer.succeed();
    await store.archive(finished);
    expect(store.state.runs.done).toBeUndefined();
    expect(store.runsOf("rolled", 10).map((r) => r.id)).toEqual(["done"]);
    const reopened = await RunStore.open(dir);
    expect(reopened.runsOf("rolled", 10).map((r) => r.id)).toEqual(["done"]);
  });

  it("a history write that failed leaves the history as it was", async () => {
    const dir = await cleanup.tempDir("rollback-history");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, run("first")));
    const finished = { ...store.getRun("first"), state: "success" } as Run;
    writer.fail("ENOSPC", (file) => file.includes(`${path.sep}runs${path.sep}`));
    await expect(store.archive(finished)).rejects.toMatchObject({ code: "ENOSPC" });
    // Still active (and so still run by the scheduler), not also in a history that is not on disk.
    expect(store.runsOf("rolled", 10).map((r) => r.state)).toEqual(["queued"]);
    expect(store.getRun("first")?.state).toBe("queued");
  });

  it("a roll-back keeps large confs (stored in files of their own) and prototype-named ids intact", async () => {
    const dir = await cleanup.tempDir("rollback-confs");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    const big = { ...run("constructor"), conf: { blob: "x".repeat(4096) } };
    await store.update((state) => store.addRun(state, big));
    writer.fail("ENOSPC", (file) => path.basename(file) === "state.json");
    await expect(store.update((state) => store.addRun(state, run("refused")))).rejects.toMatchObject({
      code: "ENOSPC",
    });
    // What was on disk is back in memory, whole: the conf read from its file, `constructor` an own key.
    expect(store.getRun("constructor")?.conf).toEqual({ blob: "x".repeat(4096) });
    expect(store.getRun("toString")).toBeUndefined();
    expect(Object.getPrototypeOf(store.state.runs)).toBeNull();
    const onDisk = await readFile(path.join(dir, "state.json"), "utf8");
    expect(onDisk).not.toContain("x".repeat(4096));
  });

  it("a run between its history write and its state write is listed once", async () => {
    const dir = await cleanup.tempDir("rollback-listed-once");
    const writer = new FailingStateWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, run("between")));
    const finished = { ...store.getRun("between"), state: "success" } as Run;
    // The history write lands, the state write does not: the run is in both places, as it is for a
    // moment during every archive.
    writer.fail("EIO", (file) => path.basename(file) === "state.json");
    await expect(store.archive(finished)).rejects.toMatchObject({ code: "EIO" });
    expect(store.runsOf("rolled", 10).map((r) => r.id)).toEqual(["between"]);
    expect(store.allRuns(10).map((r) => r.id)).toEqual(["between"]);
    expect(store.recentRuns(10).map((r) => r.id)).toEqual(["between"]);
  });
});
