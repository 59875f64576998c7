// The journal line is appended in parts (each entry's text as it is): the parts make the same
// line as the JSON of the changes, for any mix of collections, keys, texts and removals.
import { describe, expect, it } from "vitest";
import { type EntryChange, JOURNALED, journalLine, journalLineParts } from "../../src/store/state-journal.ts";

function changesOf(seed: number, count: number): EntryChange[] {
  let next = seed;
  const random = () => (next = (next * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    const collection = JOURNALED[Math.floor(random() * JOURNALED.length)] ?? "runs";
    const key = `${i} "k"\\${String.fromCharCode(0x20 + Math.floor(random() * 0x2000))}`;
    const text = random() < 0.2 ? null : JSON.stringify({ i, v: "é😀\n".repeat(Math.floor(random() * 4)) });
    return { collection, key, text };
  });
}

describe("journalLineParts", () => {
  it("makes the line journalLine makes, which is the JSON of the changes", () => {
    for (const count of [0, 1, 2, 7, 100]) {
      for (let seed = 1; seed <= 20; seed++) {
        const changes = changesOf(seed * 31 + count, count);
        const line = journalLineParts(changes).join("");
        expect(line).toBe(journalLine(changes));
        const expected = changes.map(({ collection, key, text }) => [
          collection,
          key,
          text === null ? null : JSON.parse(text),
        ]);
        expect(line.endsWith("\n")).toBe(true);
        expect(JSON.parse(line)).toEqual(expected);
      }
    }
  });

  it("keeps each entry's text as a part of its own (not copied into a longer string)", () => {
    const text = JSON.stringify({ a: "x".repeat(1000) });
    const parts = journalLineParts([
      { collection: "runs", key: "a", text },
      { collection: "dags", key: "b", text },
    ]);
    expect(parts.filter((part) => part === text)).toHaveLength(2);
  });
});
