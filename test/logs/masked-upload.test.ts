// What goes to the store is masked while it streams, whatever the local file holds (a log written
// before a secret was known), and reads of a stored log give what the local file gives.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import type { LogObjects } from "../../src/logs/log-objects.ts";
import { uploadLog } from "../../src/logs/log-upload.ts";
import { MASK_LINE_BYTES, maskingStream } from "../../src/logs/masking-stream.ts";
import { ObjectLogHandle } from "../../src/logs/object-log-handle.ts";
import { logText, readLog } from "../../src/server/views/log-reader.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const SECRET = "s3cr3t-value-1234";

/** Objects kept in memory: the store's contract as the log store uses it. */
function memoryObjects(): LogObjects & { objects: Map<string, Buffer>; reads: number } {
  const objects = new Map<string, Buffer>();
  const store = {
    name: "memory://",
    objects,
    reads: 0,
    async put(key: string, body: Readable) {
      objects.set(key, await buffer(body));
    },
    async size(key: string) {
      return objects.get(key)?.length;
    },
    async read(key: string, start: number, into: Buffer) {
      store.reads++;
      return (objects.get(key) ?? Buffer.alloc(0)).copy(into, 0, start, start + into.length);
    },
  };
  return store;
}

/** Feeds `parts` (a secret may span two) through the masking stream. */
async function masked(parts: string[]): Promise<string> {
  return (
    await buffer(
      Readable.from(parts.map((part) => Buffer.from(part))).pipe(maskingStream(new SecretMask([SECRET]))),
    )
  ).toString("utf8");
}

describe("masking a log as it is uploaded", () => {
  const cleanup = useCleanup();

  it("masks a secret split between two chunks, and one inside a line longer than the line bound", async () => {
    expect(await masked(["a s3cr3t-va", "lue-1234 b\nnext ", SECRET])).toBe("a *** b\nnext ***");
    const long = "x".repeat(MASK_LINE_BYTES + 10) + SECRET + "y\n";
    const out = await masked([long.slice(0, MASK_LINE_BYTES + 12), long.slice(MASK_LINE_BYTES + 12)]);
    expect(out).toBe("x".repeat(MASK_LINE_BYTES + 10) + "***y\n");
  });

  it("stores a masked copy of an unmasked local log, and marks it uploaded only then", async () => {
    const dir = await cleanup.tempDir("masked-upload");
    const file = path.join(dir, "try-1.log");
    await writeFile(file, `one ${SECRET}\ntwo\n`);
    const objects = memoryObjects();
    const deps = { objects, mask: new SecretMask([SECRET]) };
    expect(await uploadLog(file, "p/d/r/t/try-1.log", deps)).toBe(true);
    expect(objects.objects.get("p/d/r/t/try-1.log")?.toString()).toBe("one ***\ntwo\n");
    expect(JSON.parse(await readFile(`${file}.uploaded`, "utf8"))).toMatchObject({
      size: 26,
      key: "p/d/r/t/try-1.log",
    });
    // Uploaded as it is: nothing to do again.
    expect(await uploadLog(file, "p/d/r/t/try-1.log", deps)).toBe(false);
  });

  it("serves the same ?offset/?limit pieces from the store as from the local file, across 1 MiB blocks", async () => {
    const dir = await cleanup.tempDir("object-reads");
    const file = path.join(dir, "try-1.log");
    const lines = Array.from(
      { length: 40_000 },
      (_, i) => `line ${i} ${"z".repeat(i % 97)}${i % 1000 === 0 ? " ***" : ""}\n`,
    );
    await writeFile(file, lines.join(""));
    const objects = memoryObjects();
    const mask = new SecretMask([SECRET]);
    await uploadLog(file, "k", { objects, mask });
    const size = objects.objects.get("k")?.length ?? 0;
    expect(size).toBeGreaterThan(2 * 1024 * 1024);
    const pieces: Array<{ from: number; limit?: number }> = [
      { from: 0 },
      { from: 0, limit: 100 },
      { from: 1024 * 1024 - 5, limit: 300 },
      { from: 2 * 1024 * 1024 + 17, limit: 200_000 },
      { from: size - 1000 },
      { from: size - 1024 * 1024, limit: 1024 * 1024 },
      { from: size + 10 },
    ];
    for (const piece of pieces) {
      const options = { ...piece, live: false, mask };
      const local = await readLog(file, options);
      const stored = await readLog(async () => new ObjectLogHandle(objects, "k", size), options);
      expect(stored.nextOffset, JSON.stringify(piece)).toBe(local.nextOffset);
      expect(await logText(stored), JSON.stringify(piece)).toBe(await logText(local));
    }
  });
});
