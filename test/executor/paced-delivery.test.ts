import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PacedDelivery } from "../../src/executor/paced-delivery.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A pacer on the fake clock, and every batch it delivered. */
function paced(intervalMs: number) {
  const batches: string[][] = [];
  const pacer = new PacedDelivery<string>(
    (items) => batches.push(items),
    intervalMs,
    () => Date.now(),
  );
  return { pacer, batches };
}

describe("PacedDelivery (executor events, at most one batch per interval)", () => {
  it("delivers a lone item at once, before push returns", () => {
    const { pacer, batches } = paced(100);
    pacer.push("a");
    expect(batches).toEqual([["a"]]);
    vi.advanceTimersByTime(100);
    pacer.push("b");
    expect(batches).toEqual([["a"], ["b"]]);
  });

  it("holds items that come within the interval and delivers them together, in order, at its end", () => {
    const { pacer, batches } = paced(100);
    pacer.push("a");
    vi.advanceTimersByTime(10);
    pacer.push("b");
    vi.advanceTimersByTime(50);
    pacer.push("c");
    expect(batches).toEqual([["a"]]);
    vi.advanceTimersByTime(39);
    expect(batches).toEqual([["a"]]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([["a"], ["b", "c"]]);
    // The next burst waits for the interval after that batch.
    pacer.push("d");
    vi.advanceTimersByTime(99);
    expect(batches).toEqual([["a"], ["b", "c"]]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([["a"], ["b", "c"], ["d"]]);
  });

  it("loses nothing: a flush delivers what waits, and the timer then delivers nothing twice", () => {
    const { pacer, batches } = paced(100);
    pacer.push("a");
    pacer.push("b");
    pacer.push("c");
    pacer.flush();
    expect(batches).toEqual([["a"], ["b", "c"]]);
    vi.advanceTimersByTime(1000);
    expect(batches.flat()).toEqual(["a", "b", "c"]);
  });

  it("with interval 0 delivers every item at once", () => {
    const { pacer, batches } = paced(0);
    for (const item of ["a", "b", "c"]) pacer.push(item);
    expect(batches).toEqual([["a"], ["b"], ["c"]]);
  });
});
