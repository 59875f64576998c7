// Issue 17 attack: kill -9 (a real child process) during a batched archive (between one DAG's
// history write and the next, or between the history writes and the state write) and during a group
// commit. After a restart nothing acknowledged is lost, every run is in exactly one file as the store
// reads it (never in neither), and no finished run is active again (it would run twice).
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const script = path.join(import.meta.dirname, "support", "kill-mid-archive.ts");
const ids = ["a1", "a2", "b1", "b2", "c1", "c2"];

function killedAt(at: string, stateDir: string): Promise<{ signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", script, at, stateDir],
      { timeout: 30_000 },
      (_error, stdout) => resolve({ signal: child.signalCode, stdout }),
    );
  });
}

describe("kill -9 in the middle of a batched archive or a group commit", () => {
  // Still active after the restart: the runs whose history write never happened (they are archived
  // again); a run both archived and active would be handed to the scheduler a second time.
  const stillActive = new Map([
    ["history-2", ["b1", "b2", "c1", "c2"]],
    ["state", []],
  ]);
  for (const [at, active] of stillActive) {
    it(`(killed at the ${at} write) every acknowledged run is found once after restart, finished, not active`, async () => {
      const dir = await cleanup.tempDir(`kill-archive-${at}`);
      const { signal, stdout } = await killedAt(at, dir);
      expect(signal).toBe("SIGKILL");
      expect(stdout).toBe("acknowledged\n");
      const store = await RunStore.open(dir);
      expect(Object.keys(store.state.runs).sort()).toEqual(active);
      for (const id of ids) {
        const found = store.getRun(id);
        expect(found?.state, id).toBe("success");
        // Listed once: active (its archive not done) or in history, never both and never neither.
        expect(
          store.runsOf(id[0] ?? "", 10).filter((r) => r.id === id),
          id,
        ).toHaveLength(1);
      }
      // Archived again by the scheduler on restart: each DAG ends with its two runs, once each.
      await store.archiveAll(Object.values(store.state.runs));
      const reopened = await RunStore.open(dir);
      expect(Object.keys(reopened.state.runs)).toEqual([]);
      expect(
        reopened
          .allRuns(100)
          .map((r) => r.id)
          .sort(),
      ).toEqual(ids);
    }, 60_000);
  }

  it("(killed at a group commit's state write) the archive before it holds and the unacknowledged group is absent", async () => {
    const dir = await cleanup.tempDir("kill-group");
    const { signal, stdout } = await killedAt("group", dir);
    expect(signal).toBe("SIGKILL");
    expect(stdout).toBe("acknowledged\narchived\n");
    const store = await RunStore.open(dir);
    expect(Object.keys(store.state.runs)).toEqual([]);
    expect(
      store
        .allRuns(100)
        .map((r) => r.id)
        .sort(),
    ).toEqual(ids);
  }, 60_000);
});
