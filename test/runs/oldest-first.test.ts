// Issue 17 point 3 (lag): advanceRuns orders every active run by one native string sort of keys;
// it must give exactly the comparator's stable order, ties and odd characters included.
import { describe, expect, it } from "vitest";
import { compareOldestFirst, sortOldestFirst } from "../../src/runs/oldest-first.ts";

interface R {
  logicalDate: string;
  queuedAt: string;
  id: string;
  n: number;
}

/** A small deterministic generator: runs made of few distinct values, so ties are common. */
function runs(count: number, seed: number, alphabet: readonly string[]): R[] {
  let x = seed;
  const pick = <T>(of: readonly T[]): T => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return of[x % of.length] as T;
  };
  const dates = ["2026-01-01T00:00:00.000Z", "2026-01-01T00:01:00.000Z", "2025-12-31T23:59:00.000Z"];
  return Array.from({ length: count }, (_, n) => ({
    logicalDate: pick(dates),
    queuedAt: pick(dates),
    id: `${pick(alphabet)}${pick(alphabet)}${pick(["", "_1", "_10", "_9"])}`,
    n,
  }));
}

describe("sortOldestFirst", () => {
  it.each([1, 2, 3, 4, 5])("gives the comparator's stable order (seed %i)", (seed) => {
    const given = runs(2000, seed, ["a", "b", "B", "dag_1", "dag_10", "dag_2", "é", "-", "~"]);
    const expected = [...given].sort(compareOldestFirst);
    expect(sortOldestFirst(given).map((r) => r.n)).toEqual(expected.map((r) => r.n));
  });

  it("keeps equal runs in the order given", () => {
    const same = { logicalDate: "2026-01-01T00:00:00.000Z", queuedAt: "2026-01-01T00:00:00.000Z", id: "x" };
    const given = Array.from({ length: 12 }, (_, n) => ({ ...same, n }));
    expect(sortOldestFirst(given).map((r) => r.n)).toEqual(given.map((r) => r.n));
  });

  it("orders a field that is a prefix of another first, as the comparator does", () => {
    const at = "2026-01-01T00:00:00.000Z";
    const given = [
      { logicalDate: at, queuedAt: at, id: "ab", n: 0 },
      { logicalDate: at, queuedAt: at, id: "a", n: 1 },
      { logicalDate: at, queuedAt: at, id: "a\u0001", n: 2 },
      { logicalDate: at, queuedAt: `${at}x`, id: "a", n: 3 },
    ];
    expect(sortOldestFirst(given).map((r) => r.n)).toEqual(
      [...given].sort(compareOldestFirst).map((r) => r.n),
    );
  });

  it("falls back to the comparator for a field holding NUL", () => {
    const given = runs(300, 7, ["a", "\u0000", "a\u0000b", "b"]);
    const expected = [...given].sort(compareOldestFirst);
    expect(sortOldestFirst(given).map((r) => r.n)).toEqual(expected.map((r) => r.n));
  });

  it("returns a new array and leaves the given one as it was", () => {
    const given = runs(50, 3, ["a", "b"]);
    const before = given.map((r) => r.n);
    expect(sortOldestFirst(given)).not.toBe(given);
    expect(given.map((r) => r.n)).toEqual(before);
  });
});
