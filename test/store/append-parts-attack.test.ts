// Attack on a journal line appended in parts (HeldAppendWriter.appendParts: pieces of ~64 K
// characters, one writev) and on state.json written from parts (writeFileDurably): the file must
// hold the UTF-8 of the text the parts make, wherever a piece is cut. A part may end in a high
// surrogate whose low half starts the next part (a caller cutting text by UTF-16 length); encoded
// piece by piece, each half became U+FFFD and the file held 6 bytes where the text has 4.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HeldAppendWriter, writeFileDurably } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("test");
const PIECE_CHARS = 64 * 1024;

/** Parts whose first ends with the high half of 😀 exactly at a piece's end (and on each side of it). */
function splitPairs(): string[][] {
  const cases: string[][] = [];
  for (const pad of [PIECE_CHARS - 2, PIECE_CHARS - 1, PIECE_CHARS, 2 * PIECE_CHARS - 1])
    cases.push(["x".repeat(pad) + "\ud83d", "\ude00\u2028é\n"]);
  // Several small parts before the cut one, and a lone high surrogate at the very end.
  cases.push(["a".repeat(40_000), "b".repeat(PIECE_CHARS - 40_001) + "\ud83d", "\ude00", "\ud83d"]);
  return cases;
}

describe("text from parts, a surrogate pair split between parts", () => {
  it("appendParts appends the UTF-8 of the joined text and counts its bytes", async () => {
    const dir = await cleanup.tempDir("append-parts-pairs");
    for (const [i, parts] of splitPairs().entries()) {
      const file = path.join(dir, `journal-${i}`);
      await writeFile(file, "h\n");
      const writer = new HeldAppendWriter();
      const joined = Buffer.from(parts.join(""), "utf8");
      expect(await writer.appendParts(file, parts)).toBe(joined.length);
      expect((await readFile(file)).equals(Buffer.concat([Buffer.from("h\n"), joined]))).toBe(true);
      await writer.release();
    }
  });

  it("writeFileDurably from parts writes the UTF-8 of the joined text", async () => {
    const dir = await cleanup.tempDir("write-parts-pairs");
    for (const [i, parts] of splitPairs().entries()) {
      const file = path.join(dir, `state-${i}.json`);
      await writeFileDurably(file, parts);
      expect((await readFile(file)).equals(Buffer.from(parts.join(""), "utf8"))).toBe(true);
    }
  });
});

/** Runs the child under `ulimit -f 200` (100 KB or 200 KB: 512- or 1,024-byte blocks by shell). */
function underFileSizeLimit(mode: "writer" | "store", target: string): Promise<Record<string, unknown>> {
  const child = path.join(import.meta.dirname, "support", "file-size-limit-child.ts");
  const command = `ulimit -f 200 && exec "$0" --import tsx "$1" "$2" "$3"`;
  return new Promise((resolve, reject) => {
    execFile(
      "sh",
      ["-c", command, process.execPath, child, mode, target],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>);
      },
    );
  });
}

describe("a line that does not fit (a real short writev: a file size limit, EFBIG)", () => {
  it("the refused line is cut back whole, and the next append lands after the last one acknowledged", async () => {
    const file = path.join(await cleanup.tempDir("append-limit"), "journal");
    expect(await underFileSizeLimit("writer", file)).toEqual({ big: "EFBIG", after: "6" });
    expect(await readFile(file, "utf8")).toBe("header\nfirst\nafter\n");
  });

  it("a store refused mid-line keeps what it acknowledged, and a restart reads it", async () => {
    const dir = await cleanup.tempDir("store-limit");
    const result = await underFileSizeLimit("store", dir);
    expect(result).toEqual({ big: "EFBIG", after: "ok", runs: ["small", "after"] });
    const reopened = await RunStore.open(dir);
    expect(Object.keys(reopened.state.runs).sort()).toEqual(["after", "small"]);
    await reopened.settle();
  });
});
