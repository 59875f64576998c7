// Issue 17 attack on definitions kept 50 a line (RunStore.keepDefinitions): the daemon stops while
// the start-up burst is still writing (10,000 DAGs: 200 lines, each an fdatasync). The stop's
// settle() writes state.json whole and leaves the journal empty; the burst must not go on writing
// lines after it (into a state dir whose lock the stop then gives up, behind the settled state).
// And a line refused in the middle of a burst: the burst stops there, the state in memory is what is
// on disk, and the store writes again.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { DEFINITIONS_PER_WRITE, RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("test");
const many = (count: number) =>
  Array.from({ length: count }, (_, i) => dag(`d${i}`, { tasks: [pod("only")] }));

describe("a stop in the middle of a burst of definitions", () => {
  it("writes nothing after settle(): the journal stays as the stop left it", async () => {
    const dir = await cleanup.tempDir("burst-settle");
    const store = await RunStore.open(dir);
    const burst = store.keepDefinitions(many(40 * DEFINITIONS_PER_WRITE));
    await store.settle();
    const journal = path.join(dir, "state.journal");
    const settled = await readFile(journal, "utf8");
    const kept = Object.keys((await readActiveState(dir)).definitions).length;
    await burst.catch(() => undefined);
    expect(kept, "part of the burst was written before the stop").toBeGreaterThan(0);
    expect(await readFile(journal, "utf8"), "the journal after the burst ended").toBe(settled);
    expect(Object.keys((await readActiveState(dir)).definitions)).toHaveLength(kept);
  });

  it("a call that begins after the stop writes nothing; once loaded again, the store keeps them", async () => {
    const dir = await cleanup.tempDir("burst-settle-reload");
    const store = await RunStore.open(dir);
    await store.keepDefinitions(many(1));
    await store.settle();
    const settled = await readFile(path.join(dir, "state.journal"), "utf8");
    // Queued behind the burst (a registry change during start-up), it begins after the stop.
    await store.keepDefinitions(many(DEFINITIONS_PER_WRITE));
    expect(await readFile(path.join(dir, "state.journal"), "utf8")).toBe(settled);
    await store.load();
    await store.keepDefinitions(many(3 * DEFINITIONS_PER_WRITE));
    expect(Object.keys((await readActiveState(dir)).definitions)).toHaveLength(3 * DEFINITIONS_PER_WRITE);
    await store.settle();
  });

  it("a line refused in the middle: the burst rejects, memory is what is on disk, the next write lands", async () => {
    const dir = await cleanup.tempDir("burst-refused");
    let appends = 0;
    const store = await RunStore.open(dir, {
      writer: {
        write: durableStateWriter.write,
        append: async (file, text) => {
          if (++appends === 5) throw Object.assign(new Error("EIO: refused by the test"), { code: "EIO" });
          await durableStateWriter.append?.(file, text);
        },
      },
    });
    await expect(store.keepDefinitions(many(20 * DEFINITIONS_PER_WRITE))).rejects.toThrow("EIO");
    expect(appends).toBe(5);
    const onDisk = Object.keys((await readActiveState(dir)).definitions).sort();
    // The first write (whole) and four appended lines.
    expect(onDisk).toHaveLength(5 * DEFINITIONS_PER_WRITE);
    expect(Object.keys(store.state.definitions).sort()).toEqual(onDisk);
    await store.keepDefinitions(many(20 * DEFINITIONS_PER_WRITE));
    expect(Object.keys((await readActiveState(dir)).definitions)).toHaveLength(20 * DEFINITIONS_PER_WRITE);
  });
});
