// Issue 17 attack on state.json written from parts in pieces (writeFileDurably with parts): a disk
// nearly full answers write() with fewer bytes than asked and no error (the next write would say
// ENOSPC). A piece written short must be written on, never synced and renamed in as a state.json
// cut short (a daemon that then cannot start: CorruptStateError).
import type { FileHandle } from "node:fs/promises";
import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeFileDurably } from "../../src/store/durable-write.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("test");

afterEach(() => {
  vi.restoreAllMocks();
});

/** FileHandle.prototype (its methods are there, shared by every handle). */
async function fileHandlePrototype(dir: string): Promise<FileHandle> {
  const probe = await open(path.join(dir, ".probe"), "w");
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  return prototype;
}

describe("state.json from parts, written short", () => {
  it("a write() that takes fewer bytes than asked is written on: the file holds the whole text", async () => {
    const dir = await cleanup.tempDir("parts-short");
    const prototype = await fileHandlePrototype(dir);
    const write = prototype.write;
    let short = 0;
    // Every write of 16 bytes or more takes half (as a disk does when it fills up), the rest follows.
    vi.spyOn(prototype, "write").mockImplementation(async function (
      this: FileHandle,
      ...args: Parameters<FileHandle["write"]>
    ) {
      const [data, ...rest] = args;
      const bytes =
        typeof data === "string" ? Buffer.from(data, (rest[1] as BufferEncoding) ?? "utf8") : data;
      const offset = typeof data === "string" ? 0 : ((rest[0] as number | undefined) ?? 0);
      const length =
        typeof data === "string" ? bytes.length : ((rest[1] as number | undefined) ?? bytes.length - offset);
      if (length < 16) return write.call(this, bytes, offset, length) as never;
      short++;
      return write.call(this, bytes, offset, Math.floor(length / 2)) as never;
    } as FileHandle["write"]);
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
