// Issue 17 attack on the active state journal: a standby (load with owner: false, as under leader
// election) reads in a loop while the leader writes and compacts as fast as it can. Every read must
// succeed and hold at least every change acknowledged before it began.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const child = path.join(import.meta.dirname, "support", "compaction-kill-child.ts");

describe("a standby reading while the leader writes and compacts", () => {
  it("never refuses to read and never misses an acknowledged change", async () => {
    const dir = await cleanup.tempDir("journal-standby");
    const leader = spawn(process.execPath, ["--import", "tsx", child, dir, "never", "400"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let acknowledged = 0;
    let done = false;
    leader.stdout.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n"))
        if (/^\d+$/.test(line)) acknowledged = Math.max(acknowledged, Number(line));
    });
    const exited = new Promise<number | null>((resolve) => leader.on("exit", (code) => resolve(code)));
    void exited.then(() => (done = true));
    const standby = new RunStore(dir);
    let reads = 0;
    const behind: string[] = [];
    while (!done) {
      const before = acknowledged;
      if (before === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      await standby.load({ owner: false });
      reads++;
      const count = Number(/^count (\d+)$/.exec(standby.state.runs["counter"]?.notes[0] ?? "")?.[1]);
      if (!(count >= before)) behind.push(`read ${reads}: count ${count}, ${before} acknowledged before`);
    }
    expect(await exited).toBe(0);
    expect(behind).toEqual([]);
    // Enough reads to have met compactions (one every ~16 writes of 400).
    expect(reads).toBeGreaterThan(20);
  });
});
