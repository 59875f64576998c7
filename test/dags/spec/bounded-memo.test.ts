import { describe, expect, test } from "vitest";
import { BoundedMemo } from "../../../src/dags/spec/bounded-memo.ts";
import { validateDag } from "../../../src/dags/spec/validate-dag.ts";
import { dag, pod } from "../../../src/sdk/index.ts";

describe("BoundedMemo", () => {
  test("computes each key once while it is kept, and gives the computed result", () => {
    const calls: string[] = [];
    const memo = new BoundedMemo((key) => {
      calls.push(key);
      return key.length === 0 ? null : key.toUpperCase();
    }, 3);
    expect([memo.get("a"), memo.get("b"), memo.get("a"), memo.get(""), memo.get("")]).toEqual([
      "A",
      "B",
      "A",
      null,
      null,
    ]);
    expect(calls).toEqual(["a", "b", ""]);
  });

  test("keeps at most `capacity` results, the oldest going first", () => {
    const calls: string[] = [];
    const memo = new BoundedMemo((key) => (calls.push(key), key), 2);
    for (const key of ["a", "b", "c", "d"]) memo.get(key);
    expect(memo.size).toBe(2);
    memo.get("d");
    memo.get("a");
    expect(calls).toEqual(["a", "b", "c", "d", "a"]);
  });
});

describe("DAG dates read through the memo", () => {
  const startOf = (timezone: string, startDate: string) => {
    const validation = validateDag(
      dag({ id: "d", schedule: null, timezone, startDate, tasks: [pod({ id: "t", image: "busybox" })] }),
      () => undefined,
    );
    return validation.ok ? validation.dag.startDate : validation.problems[0]?.message;
  };

  test("the same text in different zones gives each zone's time, however often it is read", () => {
    for (let round = 0; round < 3; round += 1) {
      expect(startOf("UTC", "2026-03-29T02:30")).toBe("2026-03-29T02:30:00.000Z");
      expect(startOf("Europe/Berlin", "2026-03-29T02:30")).toBe("2026-03-29T01:30:00.000Z");
      expect(startOf("America/New_York", "2026-11-01")).toBe("2026-11-01T04:00:00.000Z");
      expect(startOf("UTC", "2026-11-01T06:00:00+02:00")).toBe("2026-11-01T04:00:00.000Z");
      expect(startOf("UTC", "not a date")).toMatch(/startDate: "not a date" is not an ISO date/);
    }
  });
});
