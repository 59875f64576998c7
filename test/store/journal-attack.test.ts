// Issue 17 attack on the active state journal: a compaction whose state.json landed but whose write
// still failed, an older updraft (state.json only) writing between two runs of this one, and odd
// ids and values in a line-based file.
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ActiveState } from "../../src/runs/active-state.ts";
import { COMPACT_MIN_BYTES, readActiveState } from "../../src/store/active-state-file.ts";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { CorruptStateError } from "../../src/store/state-file.ts";
import { recordingWriter } from "../support/recording-writer.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");
const note = "n".repeat(64 * 1024);

/** What a store holds, as plain JSON (comparable across a reopen). */
function plain(state: Readonly<ActiveState>): unknown {
  return JSON.parse(JSON.stringify(state));
}

/** Sets the run's notes in one update. */
function setNotes(store: RunStore, id: string, notes: string[]): Promise<void> {
  return store.update((state) => {
    const run = state.runs[id];
    if (run) run.notes = notes;
  });
}

/**
 * Updates with large notes until `done` (a compaction ran), failing past twice the journal's bound;
 * the start of the last note acknowledged.
 */
async function fillJournal(store: RunStore, id: string, done: () => boolean): Promise<string> {
  let acknowledged = "";
  for (let value = 0; !done(); value++) {
    expect(value * note.length, "compacted within the journal's bound").toBeLessThan(2 * COMPACT_MIN_BYTES);
    // The write queued behind a failing compaction may be refused with it.
    await setNotes(store, id, [`${value} ${note}`]).then(
      () => (acknowledged = `${value} ${note}`.slice(0, 40)),
      (error: unknown) => {
        if (!done()) throw error;
      },
    );
  }
  return acknowledged;
}

describe("the active state journal under attack", () => {
  it("keeps writes acknowledged after a compaction whose state.json was renamed in but whose write then failed", async () => {
    const dir = await cleanup.tempDir("journal-compact-eio");
    let failState = false;
    let renamedIn = false;
    const writer: StateWriter = {
      // As writeFileDurably when the folder's fsync fails (EIO, or EMFILE opening it) after the rename.
      // Later writes of state.json are refused before their rename (the disk is still failing).
      write: async (file, text) => {
        const failing = failState && path.basename(file) === "state.json";
        if (failing && renamedIn) throw Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" });
        await durableStateWriter.write(file, text);
        if (failing) {
          renamedIn = true;
          throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
        }
      },
      append: async (file, text) => durableStateWriter.append?.(file, text),
    };
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    failState = true;
    await fillJournal(store, "first", () => renamedIn);
    // Refused, or acknowledged and then on disk (kill -9 now, and it must be there).
    const acknowledged = await setNotes(store, "first", ["after the failed compaction"]).then(
      () => true,
      () => false,
    );
    // The start of the note only: a lost write shows a 64 KiB one.
    const notesOnDisk = async () =>
      (await readActiveState(dir)).runs["first"]?.notes.map((text) => text.slice(0, 40));
    if (acknowledged) expect(await notesOnDisk()).toEqual(["after the failed compaction"]);
    failState = false;
    await setNotes(store, "first", ["once the disk works"]);
    expect(await notesOnDisk()).toEqual(["once the disk works"]);
    const reopened = await RunStore.open(dir);
    expect(reopened.state.runs["first"]?.notes).toEqual(["once the disk works"]);
  });

  it("keeps every acknowledged write when a compaction's new journal cannot be written (ENOSPC), through more writes and a reopen", async () => {
    const dir = await cleanup.tempDir("journal-compact-header-enospc");
    let journals = 0;
    // From the compaction's new journal on, the disk takes no new file (appends still fit).
    let full = false;
    const writer: StateWriter = {
      write: async (file, text) => {
        // The second journal start is the first compaction's.
        if (path.basename(file) === "state.journal" && ++journals === 2) full = true;
        if (full) throw Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" });
        await durableStateWriter.write(file, text);
      },
      append: async (file, text) => durableStateWriter.append?.(file, text),
    };
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    const last = await fillJournal(store, "first", () => full);
    // kill -9 now: the last acknowledged note is there.
    const { runs } = await readActiveState(dir);
    expect(runs["first"]?.notes.map((text) => text.slice(0, 40))).toEqual([last]);
    // Refused, or acknowledged and on disk.
    const acknowledged = await store
      .update((state) => store.addRun(state, oneTaskRun("a", "second", at)))
      .then(
        () => true,
        () => false,
      );
    if (acknowledged) expect(Object.keys((await readActiveState(dir)).runs)).toContain("second");
    full = false;
    await store.update((state) => store.addRun(state, oneTaskRun("a", "third", at)));
    await setNotes(store, "first", ["last"]);
    const reopened = await RunStore.open(dir);
    expect(plain(reopened.state)).toEqual(plain(store.state));
    expect(reopened.state.runs["first"]?.notes).toEqual(["last"]);
    expect(Object.keys(reopened.state.runs)).toContain("third");
  });

  it("reports a compaction the disk refused until a write shows the disk takes whole files again", async () => {
    const dir = await cleanup.tempDir("journal-compact-health");
    let full = false;
    let compactions = 0;
    let snapshots = 0;
    const writer: StateWriter = {
      write: async (file, text) => {
        // The first compaction finds the disk full.
        if (path.basename(file) === "state.json" && ++snapshots === 2) {
          compactions++;
          full = true;
        }
        if (full) throw Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" });
        await durableStateWriter.write(file, text);
      },
      append: async (file, text) => durableStateWriter.append?.(file, text),
    };
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    // Up to the write that queues the compaction (the journal past its bound), and no further.
    const journalFile = path.join(dir, "state.journal");
    for (let value = 0; (await stat(journalFile)).size <= COMPACT_MIN_BYTES; value++)
      await setNotes(store, "first", [`${value} ${note}`]);
    // The scheduler's next tick, after the compaction: nothing to change. The disk still refuses
    // whole files (the compaction's), so the store is still reported as unable to write.
    await store.update(() => undefined).catch(() => undefined);
    expect(compactions).toBe(1);
    expect(store.writeError?.message, "still reported").toContain("ENOSPC");
    full = false;
    await store.update(() => undefined);
    expect(store.writeError).toBeUndefined();
  });

  it("does not replay a journal onto a state.json an older updraft (state.json only) wrote since", async () => {
    const dir = await cleanup.tempDir("journal-downgrade");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    await setNotes(store, "first", ["running under the journal"]);
    // Rolled back to an older updraft: it reads state.json alone (its fields kept, journalGeneration
    // among them), archives the run and writes state.json whole; the journal stays as it was.
    const file = path.join(dir, "state.json");
    const old = JSON.parse(await readFile(file, "utf8")) as ActiveState & { journalGeneration: number };
    delete (old.runs as Record<string, unknown>)["first"];
    await writeFile(file, JSON.stringify(old));
    // Rolled forward again: the journal's line would bring the archived run back as active.
    const opening = RunStore.open(dir);
    await expect(opening).rejects.toBeInstanceOf(CorruptStateError);
    await expect(opening).rejects.toThrow(/state\.journal .*state\.json was written since/);
  });

  it("after a refused append, memory is exactly what is on disk, and the next (whole) write writes that", async () => {
    const dir = await cleanup.tempDir("journal-revert-exact");
    let refuse = false;
    const store = await RunStore.open(dir, {
      writer: {
        write: durableStateWriter.write,
        append: async (file, text) => {
          if (refuse) {
            // Half a line reaches the file before the disk refuses the rest.
            await durableStateWriter.append?.(file, text.slice(0, 20));
            throw Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" });
          }
          await durableStateWriter.append?.(file, text);
        },
      },
    });
    await store.update((state) => {
      store.addRun(state, oneTaskRun("a", "kept", at));
      store.addRun(state, oneTaskRun("a", "deleted", at));
      state.dags["a"] = { paused: false, lastScheduledAt: null, skipped: [] };
    });
    await setNotes(store, "kept", ["on disk"]);
    const onDisk = plain(await readActiveState(dir));
    refuse = true;
    await expect(
      store.update((state) => {
        const run = state.runs["kept"];
        if (run) run.notes = ["refused"];
        delete state.runs["deleted"];
        store.addRun(state, oneTaskRun("b", "added", at));
        const dagState = state.dags["a"];
        if (dagState) dagState.paused = true;
      }),
    ).rejects.toThrow("ENOSPC");
    expect(plain(store.state)).toEqual(onDisk);
    refuse = false;
    await store.update((state) => store.addRun(state, oneTaskRun("c", "later", at)));
    const reopened = await RunStore.open(dir);
    expect(plain(reopened.state)).toEqual(plain(store.state));
    expect(Object.keys(reopened.state.runs).sort()).toEqual(["deleted", "kept", "later"]);
    expect(reopened.state.runs["kept"]?.notes).toEqual(["on disk"]);
    expect(reopened.state.dags["a"]?.paused).toBe(false);
  });

  it("a change that throws while a compaction is queued leaves nothing of itself, and the compaction holds the rest", async () => {
    const dir = await cleanup.tempDir("journal-throw-compaction");
    const writer = recordingWriter();
    const { written } = writer;
    const store = await RunStore.open(dir, { writer });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    let value = 0;
    // Up to the write after which a compaction is queued (it writes state.json once the group is done).
    const compacted = () => written.filter((name) => name === "state.json").length > 1;
    while (!compacted()) {
      value++;
      expect(value * note.length).toBeLessThan(2 * COMPACT_MIN_BYTES);
      // Three changes in one turn: one group; the middle one throws half-way.
      const good = setNotes(store, "first", [`${value} ${note}`]);
      const bad = store.update((state) => {
        store.addRun(state, oneTaskRun("a", `half-${value}`, at));
        throw new Error("bad change");
      });
      const other = store.update((state) => store.addRun(state, oneTaskRun("a", `other-${value}`, at)));
      await expect(bad).rejects.toThrow("bad change");
      await good;
      await other;
    }
    await setNotes(store, "first", ["last"]);
    const reopened = await RunStore.open(dir);
    expect(plain(reopened.state)).toEqual(plain(store.state));
    expect(Object.keys(reopened.state.runs).filter((id) => id.startsWith("half-"))).toEqual([]);
    expect(Object.keys(reopened.state.runs).filter((id) => id.startsWith("other-"))).toHaveLength(value);
    expect(reopened.state.runs["first"]?.notes).toEqual(["last"]);
  });

  it("keeps ids and values with newlines, quotes, U+2028/U+2029, lone surrogates and __proto__ through state.json and the journal", async () => {
    const dir = await cleanup.tempDir("journal-odd-text");
    const store = await RunStore.open(dir);
    const ids = ["line\nbreak", 'quote"d', "sep\u2028ara\u2029tor", "lone\ud800", "__proto__", "\r\n", "é😀"];
    const odd = (id: string) => [id, `${id}\n}\n]`, "\u2028\n\u2029", "\udc00"];
    // The first write of a state dir is state.json whole (its digest in the journal's header).
    await store.update((state) => {
      for (const id of ids) store.addRun(state, oneTaskRun("odd", id, at));
    });
    // The next, a journal line.
    await store.update((state) => {
      for (const id of ids) {
        const run = state.runs[id];
        if (run) run.notes = odd(id);
      }
      store.addRun(state, oneTaskRun("odd", "\u2028", at));
    });
    const journal = await readFile(path.join(dir, "state.journal"), "utf8");
    // The header and one line, whatever the text.
    expect(journal.split("\n")).toHaveLength(3);
    const reopened = await RunStore.open(dir);
    for (const id of ids) {
      expect(Object.hasOwn(reopened.state.runs, id)).toBe(true);
      expect(reopened.state.runs[id]?.notes).toEqual(odd(id));
    }
    expect(Object.keys(reopened.state.runs)).toHaveLength(ids.length + 1);
    expect(Object.getPrototypeOf(reopened.state.runs)).toBeNull();
  });
});
