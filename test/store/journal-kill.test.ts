// Issue 17 attack on the active state journal: kill -9 (a real child process, SIGKILL) at each step of
// a compaction and around the append of a group holding a large conf. Every acknowledged change must
// be there after a restart, nothing unacknowledged half there, and the store must write again.
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const child = path.join(import.meta.dirname, "support", "compaction-kill-child.ts");

/** Runs the child until it kills itself at `step`; the values it had acknowledged. */
function runUntilKilled(dir: string, step: string): Promise<{ signal: string | null; acknowledged: number }> {
  return new Promise((resolve) => {
    const started = execFile(
      process.execPath,
      ["--import", "tsx", child, dir, step],
      { timeout: 90_000, maxBuffer: 1 << 20 },
      (_error, stdout) => {
        const values = stdout.split("\n").filter((line) => /^\d+$/.test(line));
        resolve({ signal: started.signalCode, acknowledged: Number(values.at(-1) ?? 0) });
      },
    );
  });
}

const countOf = (notes: string[] | undefined) => Number(/^count (\d+)$/.exec(notes?.[0] ?? "")?.[1]);

describe("kill -9 around a compaction and a large conf", () => {
  for (const step of [
    "before-snapshot",
    "after-snapshot",
    "after-journal-start",
    "torn-after-compaction",
    "conf-before-append",
    "conf-after-append",
  ])
    it(`holds every acknowledged change when killed at ${step}`, async () => {
      const dir = await cleanup.tempDir(`journal-kill-${step}`);
      const { signal, acknowledged } = await runUntilKilled(dir, step);
      expect(signal).toBe("SIGKILL");
      expect(acknowledged).toBeGreaterThan(0);
      // A standby's read first (it tidies nothing), then the owner's.
      const read = await readActiveState(dir);
      // The write in flight may have landed (its answer not printed yet); none acknowledged is missing.
      expect([acknowledged, acknowledged + 1]).toContain(countOf(read.runs["counter"]?.notes));
      const store = await RunStore.open(dir);
      expect(countOf(store.state.runs["counter"]?.notes)).toBe(countOf(read.runs["counter"]?.notes));
      expect(store.state.runs["untouched"]).toBeDefined();
      const big = store.state.runs["big-conf"];
      if (step === "conf-before-append") {
        expect(big).toBeUndefined();
        // Its conf file, written before the append that never happened, is swept by the owner.
        expect(await readdir(path.join(dir, "confs")).catch(() => [])).toEqual([]);
      } else {
        expect((big?.conf as { payload?: string } | undefined)?.payload).toHaveLength(4096);
        expect(big?.notes).toEqual([]);
      }
      // The store writes again, and a restart reads that write.
      await store.update((state) => {
        const run = state.runs["counter"];
        if (run) run.notes = ["after the restart"];
      });
      const again = await RunStore.open(dir);
      expect(again.state.runs["counter"]?.notes).toEqual(["after the restart"]);
      expect(Object.keys(again.state.runs).sort()).toEqual(Object.keys(store.state.runs).sort());
    });
});
