// Issue 17 attack on definitions kept 50 a line with one compaction after the burst
// (RunStore.keepDefinitions): kill -9 (a real child, SIGKILL) in the middle of a burst, after a line
// was acknowledged or half-way through one. The restarted daemon reads every whole line before it,
// none of the torn one, writes again, and a burst of all of them then restores the whole set.
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { DEFINITIONS_PER_WRITE, RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const child = path.join(import.meta.dirname, "support", "definitions-burst-kill-child.ts");
const COUNT = 20 * DEFINITIONS_PER_WRITE;

function runUntilKilled(
  dir: string,
  killAt: number,
  how: "torn" | "acknowledged",
): Promise<{ signal: string | null; lines: number }> {
  return new Promise((resolve) => {
    const started = execFile(
      process.execPath,
      ["--import", "tsx", child, dir, String(COUNT), String(killAt), how],
      { timeout: 90_000, maxBuffer: 1 << 20 },
      (_error, stdout) => {
        const lines = stdout.split("\n").filter((line) => line.startsWith("lines "));
        resolve({ signal: started.signalCode, lines: Number(lines.at(-1)?.split(" ")[1] ?? 0) });
      },
    );
  });
}

const definitionIds = (definitions: Record<string, { id: string }>) =>
  new Set(Object.values(definitions).map((definition) => definition.id));

describe("kill -9 in the middle of a burst of definitions", () => {
  for (const how of ["acknowledged", "torn"] as const)
    it(`reads every whole line when killed at line 7 (${how})`, async () => {
      const dir = await cleanup.tempDir(`burst-kill-${how}`);
      const { signal, lines } = await runUntilKilled(dir, 7, how);
      expect(signal).toBe("SIGKILL");
      const acknowledged = how === "torn" ? 6 : 7;
      expect(lines).toBe(acknowledged);
      // The first write is state.json whole (a new state dir): its line holds the first 50.
      const read = await readActiveState(dir);
      const ids = definitionIds(read.definitions);
      expect(ids.size).toBe((acknowledged + 1) * DEFINITIONS_PER_WRITE);
      for (let i = 0; i < ids.size; i++) expect(ids.has(`d${i}`), `d${i}`).toBe(true);
      // The restarted daemon keeps them all again, and the next restart reads them all.
      const store = await RunStore.open(dir);
      await store.keepDefinitions(
        Array.from({ length: COUNT }, (_, i) => dag(`d${i}`, { tasks: [pod("only")] })),
      );
      await store.settle();
      expect(definitionIds((await readActiveState(dir)).definitions).size).toBe(COUNT);
    });
});
