import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");

const definition = dag("reloaded", { tasks: [pod("only")] });

function finishedRun(id: string, at: string): Run {
  const run = newRun(definition, {
    id,
    trigger: "manual",
    logicalDate: new Date(at),
    conf: {},
    commit: null,
    snapshot: "/snapshots/a",
    now: new Date(at),
  });
  return { ...run, state: "success", startedAt: at, endedAt: at };
}

// A standby replica re-reads a state dir the leader writes (one PVC, two replicas).
describe("RunStore.load() again", () => {
  it("shows runs another store archived since, also after they were listed once", async () => {
    const dir = await cleanup.tempDir("run-store-reload");
    const writer = await RunStore.open(dir);
    await writer.archive(finishedRun("reloaded__manual__1", "2026-11-01T00:00:00.000Z"));
    const reader = await RunStore.open(dir);
    expect(reader.runsOf("reloaded", 10).map((r) => r.id)).toEqual(["reloaded__manual__1"]);

    await writer.archive(finishedRun("reloaded__manual__2", "2026-11-02T00:00:00.000Z"));
    await reader.load();
    expect(reader.runsOf("reloaded", 10).map((r) => r.id)).toEqual([
      "reloaded__manual__2",
      "reloaded__manual__1",
    ]);
    expect(reader.getRun("reloaded__manual__2")?.state).toBe("success");
  });

  it("a reader (a standby) leaves files it knows no run of alone; only the owner removes them", async () => {
    const dir = await cleanup.tempDir("run-store-reader");
    await RunStore.open(dir);
    // What a leader writes just before the state that refers to it: a conf file and a log folder.
    await mkdir(path.join(dir, "confs"), { recursive: true });
    await writeFile(path.join(dir, "confs", "reloaded__manual__next.json"), "{}");
    await mkdir(path.join(dir, "logs", "reloaded", "reloaded__manual__next"), { recursive: true });
    const reader = new RunStore(dir);
    await reader.load({ owner: false });
    expect(await readdir(path.join(dir, "confs"))).toEqual(["reloaded__manual__next.json"]);
    expect(await readdir(path.join(dir, "logs", "reloaded"))).toEqual(["reloaded__manual__next"]);
    await reader.load({ owner: true });
    expect(await readdir(path.join(dir, "confs"))).toEqual([]);
    expect(await readdir(path.join(dir, "logs")).catch(() => [])).toEqual([]);
  });
});
