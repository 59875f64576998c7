// Attack on a journal line written in pieces with one writev (HeldAppendWriter.appendParts): a
// daemon killed (SIGKILL, a real child process) at any time while it appends lines of several
// pieces. After each kill a restart must read every acknowledged value (at most one more: a line
// on disk whose acknowledgement was never printed), the line's text whole, and write again.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const child = path.join(import.meta.dirname, "support", "writev-kill-child.ts");

/** Runs the child until it has acknowledged `count` values, then kills it; the last value it printed. */
function killAfter(dir: string, count: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = spawn(process.execPath, ["--import", "tsx", child, dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let seen = 0;
    let stderr = "";
    started.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    started.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      seen = out.split("\n").filter((line) => /^\d+$/.test(line)).length;
      if (seen >= count && started.signalCode === null && !started.killed)
        setTimeout(() => started.kill("SIGKILL"), delayMs);
    });
    started.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") return reject(new Error(`child exited ${code}: ${stderr}`));
      const values = out.split("\n").filter((line) => /^\d+$/.test(line));
      resolve(Number(values.at(-1) ?? 0));
    });
  });
}

describe("a daemon killed while it appends lines of several pieces", () => {
  it("each restart reads every acknowledged value whole, and writes again", async () => {
    const dir = await cleanup.tempDir("writev-kill");
    let last = 0;
    for (const [round, delayMs] of [0, 3, 11, 29].entries()) {
      const acknowledged = await killAfter(dir, 3 + round, delayMs);
      expect(acknowledged).toBeGreaterThanOrEqual(last);
      const store = await RunStore.open(dir);
      const note = store.state.runs["counter"]?.notes[0] ?? "";
      const value = Number(/^count (\d+) /.exec(note)?.[1]);
      expect(value).toBeGreaterThanOrEqual(acknowledged);
      expect(value).toBeLessThanOrEqual(acknowledged + 1);
      expect(note).toBe(`count ${value} ${"é😀\u2028x".repeat(60_000)}`);
      await store.update((state) => {
        const run = state.runs["counter"];
        if (run) run.notes = [note];
      });
      await store.settle();
      last = value;
    }
  }, 120_000);
});
