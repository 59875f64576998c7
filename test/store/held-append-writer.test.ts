// Issue 17 point 4: the store appends to its journal through a descriptor it keeps open (a write and
// an fdatasync, not open + stat + write + fdatasync + close). These pin that a held descriptor never
// outlives the file it was opened on: appends after a whole write (a compaction renames a new
// journal over the old) or after release() land in the file the path names, and a failed sync
// still cuts its line back.
import type { FileHandle } from "node:fs/promises";
import { open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMPACT_MIN_BYTES, readActiveState } from "../../src/store/active-state-file.ts";
import { HeldAppendWriter, writeFileDurably } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");

afterEach(() => {
  vi.restoreAllMocks();
});

/** A journal of two lines, the second appended by `writer`, and the prototype of file handles (to spy on). */
async function twoLines(name: string) {
  const dir = await cleanup.tempDir(name);
  const file = path.join(dir, "journal");
  await writeFile(file, "line 1\n");
  const writer = new HeldAppendWriter();
  await writer.append(file, "line 2\n");
  const probe: FileHandle = await open(path.join(dir, ".probe"), "w");
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  return { file, writer, prototype };
}

describe("HeldAppendWriter", () => {
  it("appends to the new file once it wrote the file whole (renamed over the held one)", async () => {
    const file = path.join(await cleanup.tempDir("held-rewrite"), "journal");
    const writer = new HeldAppendWriter();
    await writer.write(file, "header 1\n");
    await writer.append(file, "a\n");
    await writer.write(file, "header 2\n");
    await writer.append(file, "b\n");
    expect(await readFile(file, "utf8")).toBe("header 2\nb\n");
    await writer.release();
  });

  it("opens the file again after release(), whoever replaced it meanwhile", async () => {
    const file = path.join(await cleanup.tempDir("held-release"), "journal");
    const writer = new HeldAppendWriter();
    await writer.write(file, "header 1\n");
    await writer.append(file, "a\n");
    await writer.release();
    // Another leader compacted while this process only read.
    await writeFileDurably(file, "header 2\n");
    await writer.append(file, "b\n");
    expect(await readFile(file, "utf8")).toBe("header 2\nb\n");
    await writer.release();
  });

  it("cuts a line whose fdatasync failed back, and the next append continues the file", async () => {
    const { file, writer, prototype } = await twoLines("held-sync-fails");
    vi.spyOn(prototype, "datasync").mockRejectedValueOnce(
      Object.assign(new Error("EIO: fdatasync failed"), { code: "EIO" }),
    );
    await expect(writer.append(file, "line 3\n")).rejects.toThrow("EIO");
    expect(await readFile(file, "utf8")).toBe("line 1\nline 2\n");
    await writer.append(file, "line 4\n");
    expect(await readFile(file, "utf8")).toBe("line 1\nline 2\nline 4\n");
    await writer.release();
  });

  it("appends parts in pieces: the bytes of multi-byte text across many pieces, all of them, in order", async () => {
    const file = path.join(await cleanup.tempDir("held-parts"), "journal");
    await writeFile(file, "header\n");
    const writer = new HeldAppendWriter();
    // 3,000 parts of 100 characters, some of them 2, 3 and 4 bytes each: about 5 pieces of 64 K characters.
    const parts = Array.from({ length: 3000 }, (_, i) =>
      `${String(i).padStart(6, "0")}é€😀`.padEnd(100, "x"),
    );
    const text = parts.join("");
    const bytes = await writer.appendParts(file, parts);
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(bytes).toBeGreaterThan(text.length);
    // The writer's own size check (the file grew by exactly these bytes) holds: the next append lands.
    await writer.append(file, "\nnext\n");
    expect(await readFile(file, "utf8")).toBe(`header\n${text}\nnext\n`);
    await writer.release();
  });

  it("writes what a short writev left, and cuts parts back when the rest fails (a disk filling up)", async () => {
    const { file, writer, prototype } = await twoLines("held-parts-short");
    // The writev lands the first piece and 1,000 bytes of the second, then returns short, as
    // write(2) does on a filling disk; a write after that fails when `full`.
    let full = false;
    vi.spyOn(prototype, "writev").mockImplementation(async function (this: FileHandle, buffers) {
      const [first, second] = buffers as unknown as readonly Buffer[];
      if (!first || !second) throw new Error("the test expects at least two pieces");
      await this.write(first);
      await this.write(second.subarray(0, 1000));
      return { bytesWritten: first.length + 1000, buffers };
    } as FileHandle["writev"]);
    const write = prototype.write;
    vi.spyOn(prototype, "write").mockImplementation(function (this: FileHandle, ...args: unknown[]) {
      if (full) return Promise.reject(Object.assign(new Error("ENOSPC: no space left"), { code: "ENOSPC" }));
      return (write as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as FileHandle["write"]);
    const parts = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(70 * 1024));
    await writer.appendParts(file, parts);
    expect(await readFile(file, "utf8")).toBe(`line 1\nline 2\n${parts.join("")}`);
    full = true;
    await expect(writer.appendParts(file, parts)).rejects.toThrow("ENOSPC");
    vi.restoreAllMocks();
    expect(await readFile(file, "utf8")).toBe(`line 1\nline 2\n${parts.join("")}`);
    await writer.append(file, "line 3\n");
    expect(await readFile(file, "utf8")).toBe(`line 1\nline 2\n${parts.join("")}line 3\n`);
    await writer.release();
  });

  it("a store's writes after a compaction are in the new journal: a restart reads every one", async () => {
    const dir = await cleanup.tempDir("held-store-compact");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    const note = "n".repeat(64 * 1024);
    // Past the compaction bound, then a few writes more into the journal that followed it.
    const writes = Math.ceil((2 * COMPACT_MIN_BYTES) / note.length) + 3;
    for (let value = 1; value <= writes; value++)
      await store.update((state) => {
        const run = state.runs["first"];
        if (run) run.notes = [`${value} ${note}`];
      });
    await store.update((state) => store.addRun(state, oneTaskRun("a", "last", at)));
    const journal = await readFile(path.join(dir, "state.journal"), "utf8");
    expect(journal, "compacted at least once").not.toMatch(/^\{"journalGeneration":1,/);
    const read = await readActiveState(dir);
    expect(Object.keys(read.runs).sort()).toEqual(["first", "last"]);
    expect(read.runs["first"]?.notes[0]?.startsWith(`${writes} `)).toBe(true);
  });
});
