// A finished run made to run again in place (a backfill with rerun "failed"/"all") is in state.json
// and in its DAG's history at once. If the daemon dies after the rerun ended but before it was
// archived, the newer outcome in state.json must win over the older archived copy.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");

const definition = dag("rerun_store", { tasks: [pod("only")] });
const at = (iso: string) => new Date(iso);
const finished = (state: "success" | "failed", endedAt: string): Run => ({
  ...newRun(definition, {
    id: "rerun_store__scheduled__2026-11-01",
    trigger: "scheduled",
    logicalDate: at("2026-11-01T00:00:00Z"),
    conf: {},
    commit: null,
    snapshot: "/snapshots/a",
    now: at("2026-11-01T00:00:00Z"),
  }),
  state,
  startedAt: "2026-11-01T00:00:01.000Z",
  endedAt,
});

describe("a run in both state.json and its history after a restart", () => {
  it("keeps the newer outcome of a rerun that ended but was not archived yet", async () => {
    const dir = await cleanup.tempDir("rerun-before-archive");
    const store = await RunStore.open(dir);
    const first = finished("failed", "2026-11-01T00:01:00.000Z");
    await store.update((state) => store.addRun(state, structuredClone(first)));
    await store.archive(first);
    // The rerun is added to active state while the old copy is still archived, and it ends…
    const again = finished("success", "2026-12-05T06:00:00.000Z");
    await store.update((state) => store.addRun(state, structuredClone(again)));
    // …and the daemon dies here, before archive(): reopen the same folder.
    const reopened = await RunStore.open(dir);
    expect(reopened.getRun(again.id)?.state).toBe("success");
    expect(reopened.getRun(again.id)?.endedAt).toBe(again.endedAt);
  });

  it("still lets the archived copy win when the crash came during an archive (same outcome in both)", async () => {
    const dir = await cleanup.tempDir("archive-crash");
    const store = await RunStore.open(dir);
    const done = finished("success", "2026-11-01T00:01:00.000Z");
    await store.update((state) => store.addRun(state, structuredClone(done)));
    await store.archive(structuredClone(done));
    // As if the state write of archive() had not landed: the run is back in state.json as well.
    await store.update((state) => store.addRun(state, structuredClone(done)));
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs)).toEqual([]);
    expect(reopened.getRun(done.id)?.state).toBe("success");
  });
});
