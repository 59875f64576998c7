// Issue 17 point 2 (RSS after loading 10,000 DAGs): many definitions kept at once are written in
// lines of DEFINITIONS_PER_WRITE with one compaction after the last line, and state.json is written
// from parts, never as one string: a 20 MB string and its copies waited for a full GC.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { durableStateWriter, type StateWriter, writeFileDurably } from "../../src/store/durable-write.ts";
import { DEFINITIONS_PER_WRITE, RunStore } from "../../src/store/run-store.ts";
import { dag, pod } from "../scheduler-loop/harness.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");

/** Enough definitions (~2.5 MB) that their journal outgrows the compaction bound (1 MiB) twice. */
const many = Array.from({ length: 2000 }, (_, i) =>
  dag(`d${i}`, { tasks: [pod("only", { command: ["echo", "x".repeat(1000)] })] }),
);

/** The real writer, recording what it was asked to do in order. */
function loggingWriter(): StateWriter & { log: string[]; largestPart: number } {
  const writer = {
    log: [] as string[],
    largestPart: 0,
    write: async (file: string, text: string) => {
      writer.log.push(`write ${path.basename(file)}`);
      await durableStateWriter.write(file, text);
    },
    append: async (file: string, text: string) => {
      const definitions = (text.match(/"definitions"/g) ?? []).length;
      writer.log.push(`append ${definitions > 0 ? (text.match(/"d\d+@/g) ?? []).length : 0}`);
      await durableStateWriter.append?.(file, text);
    },
    writeParts: async (file: string, parts: readonly string[]) => {
      writer.log.push(`parts ${path.basename(file)}`);
      for (const part of parts) writer.largestPart = Math.max(writer.largestPart, part.length);
      await writeFileDurably(file, parts);
    },
  };
  return writer;
}

describe("keeping many definitions at once", () => {
  it("writes them in lines of DEFINITIONS_PER_WRITE, then compacts once, after the last line", async () => {
    const dir = await cleanup.tempDir("definitions-burst");
    const writer = loggingWriter();
    const store = await RunStore.open(dir, { writer });
    // A new state dir's first write is whole (it starts the journal).
    await store.keepDefinitions([dag("first")]);
    writer.log.length = 0;
    await store.keepDefinitions(many);
    // The compaction is queued after the last write; the next write waits for it.
    await store.update(() => undefined);
    const appends = writer.log.filter((entry) => entry.startsWith("append"));
    expect(appends).toHaveLength(Math.ceil(many.length / DEFINITIONS_PER_WRITE));
    expect(appends.every((entry) => Number(entry.split(" ")[1]) <= DEFINITIONS_PER_WRITE)).toBe(true);
    const whole = writer.log.filter((entry) => !entry.startsWith("append"));
    expect(whole).toEqual(["parts state.json", "write state.journal"]);
    expect(writer.log.indexOf("parts state.json")).toBe(appends.length);
    const read = await readActiveState(dir);
    expect(Object.keys(read.definitions)).toHaveLength(many.length + 1);
  });

  it("writes state.json from parts no larger than an entry, and reads back the same state", async () => {
    const dir = await cleanup.tempDir("definitions-parts");
    const writer = loggingWriter();
    const store = await RunStore.open(dir, { writer });
    await store.keepDefinitions(many);
    await store.settle();
    expect(writer.log).toContain("parts state.json");
    const text = await readFile(path.join(dir, "state.json"), "utf8");
    expect(text.length).toBeGreaterThan(2_000_000);
    expect(writer.largestPart).toBeLessThan(4_000);
    expect(JSON.parse(JSON.stringify((await readActiveState(dir)).definitions))).toEqual(
      JSON.parse(JSON.stringify(store.state.definitions)),
    );
  });

  it("writeFileDurably of parts writes exactly their text", async () => {
    const file = path.join(await cleanup.tempDir("parts-file"), "f.json");
    const parts = Array.from({ length: 5000 }, (_, i) => `${i}:${"é".repeat(i % 50)};`);
    await writeFileDurably(file, parts);
    expect(await readFile(file, "utf8")).toBe(parts.join(""));
  });
});
