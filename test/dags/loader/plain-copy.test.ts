/**
 * plainCopy decides which DAG inputs a loader process may send unvalidated: only those JSON carries
 * to the daemon unchanged, so that the daemon's schema sees what the author's code built.
 */
import { describe, expect, test } from "vitest";
import { NOT_PLAIN, plainCopy } from "../../../src/dags/loader/plain-copy.ts";
import { dag, pod } from "../../../src/sdk/index.ts";

describe("plainCopy", () => {
  test("an SDK DAG is copied as JSON would carry it, without its call sites", () => {
    const value = dag({
      id: "d",
      schedule: "@daily",
      tags: ["a"],
      tasks: [pod({ id: "t", image: "busybox", env: { A: "1" }, resources: { limits: { cpu: 1 } } })],
    });
    const copy = plainCopy(value);
    expect(copy).toEqual(JSON.parse(JSON.stringify(value)));
    expect(copy).not.toBe(value);
    expect(Object.getOwnPropertySymbols(copy as object)).toEqual([]);
  });

  test('a key "__proto__" stays an own key, as JSON.parse makes it', () => {
    const value = JSON.parse('{"a":{"__proto__":{"x":1}}}') as unknown;
    const copy = plainCopy(value) as { a: object };
    expect(Object.keys(copy.a)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(copy.a)).toBe(Object.prototype);
  });

  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const hidden = {};
  Object.defineProperty(hidden, "image", { value: "busybox", enumerable: false });
  const symbolKeyed = { [Symbol("x")]: 1 };
  const holey: unknown[] = [];
  holey[1] = "a";
  test.each([
    ["undefined", { a: undefined }],
    ["NaN", { a: Number.NaN }],
    ["Infinity", [Number.POSITIVE_INFINITY]],
    ["-0", { a: -0 }],
    ["a function", { a: () => 1 }],
    ["a bigint", { a: 1n }],
    ["a Date", { startDate: new Date(0) }],
    ["a class instance", { a: new Map() }],
    ["an object with another prototype", { a: Object.create({ inherited: 1 }) as object }],
    ["a proxy", { a: new Proxy({}, {}) }],
    ["a cycle", cycle],
    ["a non-enumerable key", { a: hidden }],
    ["an enumerable symbol key", symbolKeyed],
    ["an array with a hole", holey],
    ["nesting past 64 levels", JSON.parse(`${"[".repeat(70)}${"]".repeat(70)}`) as unknown],
  ])("%s is not plain", (_name, value) => {
    expect(plainCopy(value)).toBe(NOT_PLAIN);
  });

  test("a shared (not cyclic) object is plain", () => {
    const shared = { cpu: "1" };
    expect(plainCopy({ requests: shared, limits: shared })).toEqual({ requests: shared, limits: shared });
  });

  test("nothing is plain while Object.prototype has an enumerable key (zod would read it)", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      expect(plainCopy({ a: 1 })).toBe(NOT_PLAIN);
    } finally {
      delete proto.polluted;
    }
    expect(plainCopy({ a: 1 })).toEqual({ a: 1 });
  });
});
