// Issue 17 attack on the active state journal from the operator's side: a backup copied file by file
// out of a running daemon (docs/operating.md, "Backups") while it writes and compacts. Copied in the
// documented order (state.journal, then state.json) it restores every change acknowledged before the
// journal was copied; a journal copied half-way through an append restores; the other order is
// refused at start-up, never read as a mix.
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { COMPACT_MIN_BYTES } from "../../src/store/active-state-file.ts";
import { durableStateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { CorruptStateError } from "../../src/store/state-file.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");
const note = "n".repeat(64 * 1024);

/** A store whose state.json writes are counted (the second and later are compactions). */
async function countingStore(dir: string): Promise<{ store: RunStore; snapshots: () => number }> {
  let snapshots = 0;
  const store = await RunStore.open(dir, {
    writer: {
      write: async (file, text) => {
        if (file.endsWith("state.json")) snapshots++;
        await durableStateWriter.write(file, text);
      },
      append: async (file, text) => durableStateWriter.append?.(file, text),
    },
  });
  return { store, snapshots: () => snapshots };
}

/** One more run, with a large note (the journal reaches its bound in ~16 of these). */
async function addRun(store: RunStore, id: string): Promise<void> {
  await store.update((state) => {
    store.addRun(state, oneTaskRun("a", id, at));
    const run = state.runs[id];
    if (run) run.notes = [note];
  });
}

/** Adds runs until a compaction has run; their ids. */
async function addUntilCompacted(
  store: RunStore,
  snapshots: () => number,
  prefix: string,
): Promise<string[]> {
  const ids: string[] = [];
  const before = snapshots();
  while (snapshots() === before) {
    expect(ids.length * note.length).toBeLessThan(2 * COMPACT_MIN_BYTES);
    ids.push(`${prefix}-${ids.length}`);
    await addRun(store, ids.at(-1) ?? "");
  }
  return ids;
}

const copy = async (from: string, to: string, name: string) =>
  copyFile(path.join(from, name), path.join(to, name));

describe("a backup copied out of a running daemon", () => {
  it("copied in the documented order (journal, then state.json), holds every change acknowledged before the journal copy", async () => {
    const dir = await cleanup.tempDir("backup-live");
    const backup = await cleanup.tempDir("backup-copy");
    const { store, snapshots } = await countingStore(dir);
    await addRun(store, "first");
    const before = await addUntilCompacted(store, snapshots, "before");
    for (const id of ["x", "y"]) await addRun(store, id);
    await copy(dir, backup, "state.journal");
    // Removed, then a compaction, between the two copies: the copied journal is stale (it still
    // holds "x"), state.json is newer and holds it all.
    await store.update((state) => {
      delete state.runs["x"];
    });
    const between = await addUntilCompacted(store, snapshots, "between");
    await copy(dir, backup, "state.json");
    await mkdir(path.join(backup, "runs"), { recursive: true });
    const restored = await RunStore.open(backup);
    const ids = Object.keys(restored.state.runs);
    for (const id of ["first", ...before, "y"]) expect(ids).toContain(id);
    // The last of `between` may have been written after the compaction (in the journal not copied).
    expect(ids.filter((id) => !between.includes(id)).sort()).toEqual(["first", ...before, "y"].sort());
    expect(ids).not.toContain("x");
  });

  it("restores from a journal copied half-way through an append", async () => {
    const dir = await cleanup.tempDir("backup-torn-live");
    const { store } = await countingStore(dir);
    for (const id of ["first", "second", "third"]) await addRun(store, id);
    const journal = await readFile(path.join(dir, "state.journal"));
    const lastLine = journal.lastIndexOf(10, journal.length - 2) + 1;
    for (const cut of [lastLine + 1, Math.floor((lastLine + journal.length) / 2), journal.length - 1]) {
      const backup = await cleanup.tempDir("backup-torn-copy");
      await writeFile(path.join(backup, "state.journal"), journal.subarray(0, cut));
      await copy(dir, backup, "state.json");
      const restored = await RunStore.open(backup);
      expect(Object.keys(restored.state.runs).sort()).toEqual(["first", "second"]);
      // And it writes on from there.
      await addRun(restored, "fourth");
      const again = await RunStore.open(backup);
      expect(Object.keys(again.state.runs).sort()).toEqual(["first", "fourth", "second"]);
    }
  });

  it("copied in the other order across a compaction, is refused at start-up, not read as a mix", async () => {
    const dir = await cleanup.tempDir("backup-wrong-live");
    const backup = await cleanup.tempDir("backup-wrong-copy");
    const { store, snapshots } = await countingStore(dir);
    await addRun(store, "first");
    await copy(dir, backup, "state.json");
    await addUntilCompacted(store, snapshots, "between");
    await addRun(store, "after");
    await copy(dir, backup, "state.journal");
    await expect(RunStore.open(backup)).rejects.toBeInstanceOf(CorruptStateError);
  });
});
