// Issue 17 attack on the held journal descriptor (HeldAppendWriter) from an unlucky operator's side:
// state.journal removed (`rm`) or replaced (a backup restored over it) under a running daemon. An
// append through the descriptor opened on the old file would land in a file no path names: the
// write must be refused (and the next one written whole), never acknowledged and lost at restart.
// And descriptors are not leaked: many compactions, many stores opened and settled in one process.
import type { FileHandle } from "node:fs/promises";
import { copyFile, readdir, readFile, readlink, rename, rm, truncate } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMPACT_MIN_BYTES, readActiveState } from "../../src/store/active-state-file.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { fileHandlePrototype, type WriteBytes } from "./support/file-handle-writes.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("test");

afterEach(() => {
  vi.restoreAllMocks();
});
const at = new Date("2026-03-01T00:00:00Z");

/** Updates the store; true when the write was acknowledged. */
async function tryAdd(store: RunStore, id: string): Promise<boolean> {
  return store
    .update((state) => store.addRun(state, oneTaskRun("a", id, at)))
    .then(
      () => true,
      () => false,
    );
}

/** Every acknowledged run is read back by a fresh reader (a restart). */
async function expectAcknowledgedRead(dir: string, acknowledged: string[]): Promise<void> {
  const read = await readActiveState(dir);
  for (const id of acknowledged) expect(Object.keys(read.runs), `run ${id} acknowledged`).toContain(id);
}

/** Descriptors this process holds on files under `dir` (other tests' files are not counted). */
async function openFds(dir: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir("/proc/self/fd")) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    if (target.startsWith(`${dir}/`)) count++;
  }
  return count;
}

describe("held journal descriptor, file changed under the daemon", () => {
  it("state.journal removed (rm): a later write is refused or read back after a restart", async () => {
    const dir = await cleanup.tempDir("held-rm");
    const store = await RunStore.open(dir);
    const acknowledged: string[] = [];
    for (const id of ["one", "two"]) if (await tryAdd(store, id)) acknowledged.push(id);
    await rm(path.join(dir, "state.journal"));
    for (const id of ["three", "four", "five"]) if (await tryAdd(store, id)) acknowledged.push(id);
    expect(acknowledged).toContain("five");
    await expectAcknowledgedRead(dir, acknowledged);
    await store.settle();
  });

  it("state.journal replaced by a copy (a backup restored over it): acknowledged writes are read back", async () => {
    const dir = await cleanup.tempDir("held-replaced");
    const store = await RunStore.open(dir);
    const acknowledged: string[] = [];
    // The first write is whole; the second appends, and holds the journal open.
    for (const id of ["one", "two"]) if (await tryAdd(store, id)) acknowledged.push(id);
    const journal = path.join(dir, "state.journal");
    await copyFile(journal, `${journal}.copy`);
    await rename(`${journal}.copy`, journal);
    for (const id of ["three", "four", "five"]) if (await tryAdd(store, id)) acknowledged.push(id);
    expect(acknowledged).toContain("five");
    await expectAcknowledgedRead(dir, acknowledged);
    await store.settle();
  });

  it("state.journal cut to nothing (`: > state.journal`): acknowledged writes are read back", async () => {
    const dir = await cleanup.tempDir("held-truncated");
    const store = await RunStore.open(dir);
    const acknowledged: string[] = [];
    for (const id of ["one", "two"]) if (await tryAdd(store, id)) acknowledged.push(id);
    await truncate(path.join(dir, "state.journal"), 0);
    for (const id of ["three", "four", "five"]) if (await tryAdd(store, id)) acknowledged.push(id);
    expect(acknowledged).toContain("five");
    await expectAcknowledgedRead(dir, acknowledged);
    await store.settle();
  });
});

describe("held journal descriptor, a disk that fills up", () => {
  it("ENOSPC after half a line: nothing of it stays, the write is refused, the next one is read back", async () => {
    const dir = await cleanup.tempDir("held-enospc");
    const store = await RunStore.open(dir);
    for (const id of ["one", "two"]) expect(await tryAdd(store, id)).toBe(true);
    const journal = path.join(dir, "state.journal");
    const before = await readFile(journal, "utf8");
    const prototype = await fileHandlePrototype(dir);
    const write = prototype.write as unknown as WriteBytes;
    let calls = 0;
    const halfThenFull: WriteBytes = async function (this: FileHandle, data, offset = 0, length = 0) {
      if (++calls === 1) return write.call(this, data, offset, Math.floor(length / 2));
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    };
    vi.spyOn(prototype, "write").mockImplementation(halfThenFull as unknown as FileHandle["write"]);
    // A line is appended with one writev, which lands what write(2) would: half, then a short count.
    vi.spyOn(prototype, "writev").mockImplementation(async function (this: FileHandle, buffers) {
      let bytesWritten = 0;
      for (const buffer of buffers as unknown as readonly Buffer[]) {
        const { bytesWritten: landed } = await this.write(buffer, 0, buffer.length);
        bytesWritten += landed;
        if (landed < buffer.length) break;
      }
      return { bytesWritten, buffers };
    } as FileHandle["writev"]);
    expect(await tryAdd(store, "three")).toBe(false);
    vi.restoreAllMocks();
    expect(calls).toBe(2);
    expect(await readFile(journal, "utf8")).toBe(before);
    expect(await tryAdd(store, "four")).toBe(true);
    expect(Object.keys((await readActiveState(dir)).runs).sort()).toEqual(["four", "one", "two"]);
    await store.settle();
  });
});

describe("held journal descriptor, no leak", () => {
  it("many stores opened, written and settled in one process leave no descriptor open", async () => {
    const dir = await cleanup.tempDir("held-many-stores");
    const store = await RunStore.open(dir);
    await tryAdd(store, "warm");
    await store.settle();
    expect(await openFds(dir)).toBe(0);
    for (let round = 0; round < 20; round++) {
      const next = await RunStore.open(dir);
      expect(await tryAdd(next, `r${round}`)).toBe(true);
      await next.settle();
    }
    expect(await openFds(dir)).toBe(0);
  });

  it("many compactions keep one journal descriptor at most", async () => {
    const dir = await cleanup.tempDir("held-many-compactions");
    const store = await RunStore.open(dir);
    await tryAdd(store, "first");
    const note = "n".repeat(64 * 1024);
    const writes = Math.ceil((6 * COMPACT_MIN_BYTES) / note.length);
    for (let value = 1; value <= writes; value++)
      await store.update((state) => {
        const run = state.runs["first"];
        if (run) run.notes = [`${value} ${note}`];
      });
    const journal = await readFile(path.join(dir, "state.journal"), "utf8");
    expect(journal).not.toMatch(/^\{"journalGeneration":[12],/);
    // The one journal descriptor at most (held since the last append), none once settled.
    expect(await openFds(dir)).toBeLessThanOrEqual(1);
    await store.settle();
    expect(await openFds(dir)).toBe(0);
  });
});
