// Issue 17 attack on state.json written from parts in pieces (writeFileDurably with parts): a disk
// nearly full answers write() with fewer bytes than asked and no error (the next write would say
// ENOSPC). A piece written short must be written on, never synced and renamed in as a state.json
// cut short (a daemon that then cannot start: CorruptStateError).
import type { FileHandle } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeFileDurably } from "../../src/store/durable-write.ts";
import { fileHandlePrototype, type WriteBytes } from "./support/file-handle-writes.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("test");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("state.json from parts, written short", () => {
  it("a write() that takes fewer bytes than asked is written on: the file holds the whole text", async () => {
    const dir = await cleanup.tempDir("parts-short");
    const prototype = await fileHandlePrototype(dir);
    const write = prototype.write as unknown as WriteBytes;
    let short = 0;
    // Every write of 16 bytes or more takes half (as a disk does when it fills up), the rest follows.
    const half = async function (this: FileHandle, data: Buffer | string, offset = 0, length?: number) {
      // A string (with its position and encoding) is its UTF-8 bytes to the disk.
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      const asked = typeof data === "string" ? bytes.length : (length ?? bytes.length - offset);
      const from = typeof data === "string" ? 0 : offset;
      if (asked < 16) return write.call(this, bytes, from, asked);
      short++;
      return write.call(this, bytes, from, Math.floor(asked / 2));
    };
    vi.spyOn(prototype, "write").mockImplementation(half as unknown as FileHandle["write"]);
    const parts = [
      '{"a":',
      JSON.stringify("x".repeat(100_000)),
      ',"b":',
      JSON.stringify("😀".repeat(50_000)),
      "}",
    ];
    await writeFileDurably(path.join(dir, "state.json"), parts);
    expect(short, "written short").toBeGreaterThan(0);
    vi.restoreAllMocks();
    expect(await readFile(path.join(dir, "state.json"), "utf8")).toBe(parts.join(""));
  });
});
