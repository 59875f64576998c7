// Issue 17 attack on state.json written from parts (StateWriter.writeParts, in pieces of ~64 KB) and
// the journal header's digest taken part by part: the digest must be the one a reader takes over
// the file, or the reader ignores the journal and every change appended after the compaction is
// lost. Characters of more than one UTF-8 byte (astral, U+2028) and lone surrogates (escaped by
// JSON.stringify) fall on every side of the piece boundaries here; an empty state compacts too; a
// refused writeParts leaves the old state.json whole.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("test");
const at = new Date("2026-03-01T00:00:00Z");
const odd = "😀\u2028\ud800x\udfff😀é";

describe("state.json from parts, attacked with unicode", () => {
  it("a compaction's digest matches the file: changes appended after it are read back", async () => {
    const dir = await cleanup.tempDir("parts-unicode");
    const store = await RunStore.open(dir);
    // Notes of sizes 1..~70 KB step 997 chars: the odd characters land on both sides of boundaries.
    const expected = new Map<string, string>();
    for (let size = 1, i = 0; size < 70_000; size += 997, i++) {
      const id = `r${i}${odd}`;
      const note = `${"n".repeat(size)}${odd}`;
      expected.set(id, note);
      await store.update((state) => {
        store.addRun(state, oneTaskRun("a", id, at));
        const run = state.runs[id];
        if (run) run.notes = [note];
      });
    }
    // Compacts (state.json from parts), then one change in the journal that continues it.
    await store.settle();
    await store.update((state) => store.addRun(state, oneTaskRun("a", `last${odd}`, at)));
    const read = await readActiveState(dir);
    expect(Object.keys(read.runs)).toContain(`last${odd}`);
    for (const [id, note] of expected) expect(read.runs[id]?.notes).toEqual([note]);
    await store.settle();
  });

  it("an empty state compacts and the journal after it is read back", async () => {
    const dir = await cleanup.tempDir("parts-empty");
    const store = await RunStore.open(dir);
    await store.settle();
    await store.update((state) => store.addRun(state, oneTaskRun("a", "only", at)));
    expect(Object.keys((await readActiveState(dir)).runs)).toEqual(["only"]);
    await store.settle();
  });

  it("a refused writeParts leaves the old state.json whole", async () => {
    const dir = await cleanup.tempDir("parts-refused");
    let refuse = false;
    let refused = 0;
    const store = await RunStore.open(dir, {
      writer: {
        write: durableStateWriter.write,
        append: durableStateWriter.append,
        writeParts: async (file, parts) => {
          if (refuse) {
            refused++;
            throw Object.assign(new Error("ENOSPC: refused by the test"), { code: "ENOSPC" });
          }
          await durableStateWriter.writeParts?.(file, parts);
        },
      },
    });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "kept", at)));
    await store.settle();
    const before = await readFile(path.join(dir, "state.json"), "utf8");
    refuse = true;
    await store.update((state) => store.addRun(state, oneTaskRun("a", "appended", at)));
    await store.settle();
    expect(refused, "the compaction at settle was refused").toBe(1);
    expect(await readFile(path.join(dir, "state.json"), "utf8")).toBe(before);
    expect(Object.keys((await readActiveState(dir)).runs).sort()).toEqual(["appended", "kept"]);
  });
});
