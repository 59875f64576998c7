// Issue 17 (scheduler lag): the compaction a write queues waits for a turn of the event loop, so the
// work its caller does without I/O right after the write (a due second's 10,000 executor starts)
// is not held up by ~30 ms of state.json text.
import { describe, expect, it } from "vitest";
import { COMPACT_MIN_BYTES } from "../../src/store/active-state-file.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { recordingWriter } from "../support/recording-writer.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup();
const at = new Date("2026-03-01T00:00:00Z");

describe("a compaction queued by a write", () => {
  it("starts only after a turn of the event loop, then writes state.json whole", async () => {
    const dir = await cleanup.tempDir("compaction-after-turn");
    const writer = recordingWriter();
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("d", "r", at)));
    const wholeWrites = () => writer.written.filter((name) => name === "state.json").length;
    const before = wholeWrites();
    // One append past the journal's bound: the write queues a compaction.
    await store.update((state) => {
      const run = state.runs.r;
      if (run) run.notes = ["n".repeat(COMPACT_MIN_BYTES + 1)];
    });
    // The caller's starts, each an awaited call that does no I/O.
    for (let start = 0; start < 1000; start++) await Promise.resolve();
    expect(wholeWrites(), "state.json written before the caller's own work was done").toBe(before);
    await waitFor("the compaction", () => (wholeWrites() === before + 1 ? true : undefined));
    expect(writer.appended.length).toBeGreaterThan(0);
  });
});
