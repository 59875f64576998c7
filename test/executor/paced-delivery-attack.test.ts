// Issue 17 attack on PacedDelivery (executor events at most one batch per interval): a storm of
// 10,000 items, an item pushed from inside a delivery (a listener that makes the executor emit), a
// delivery that throws, and a clock that does not move. Nothing is lost, repeated or reordered, and
// one timer at most is ever waiting.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PacedDelivery } from "../../src/executor/paced-delivery.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("PacedDelivery, attacked", () => {
  it("a storm of 10,000 items: the first at once, the rest in one batch, in order, one timer", () => {
    const batches: number[][] = [];
    const pacer = new PacedDelivery<number>(
      (items) => batches.push(items),
      100,
      () => Date.now(),
    );
    for (let i = 0; i < 10_000; i++) pacer.push(i);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(batches.map((batch) => batch.length)).toEqual([1, 9_999]);
    expect(batches.flat()).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an item pushed while a batch is delivered goes in the next batch, not lost, not at once", () => {
    const batches: string[][] = [];
    const pacer: PacedDelivery<string> = new PacedDelivery<string>(
      (items) => {
        batches.push(items);
        if (items.includes("a")) pacer.push("echo of a");
      },
      100,
      () => Date.now(),
    );
    pacer.push("a");
    expect(batches).toEqual([["a"]]);
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([["a"], ["echo of a"]]);
  });

  it("a delivery that throws loses only its own batch's turn: later items are still delivered", () => {
    const batches: string[][] = [];
    let throwOnce = true;
    const pacer = new PacedDelivery<string>(
      (items) => {
        batches.push(items);
        if (throwOnce) {
          throwOnce = false;
          throw new Error("listener failed");
        }
      },
      100,
      () => Date.now(),
    );
    expect(() => pacer.push("a")).toThrow("listener failed");
    pacer.push("b");
    pacer.push("c");
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([["a"], ["b", "c"]]);
  });

  it("a clock that went back (an injected wall clock stepped by NTP): items wait one interval at most", () => {
    const batches: string[][] = [];
    let clock = 3_600_000;
    const pacer = new PacedDelivery<string>(
      (items) => batches.push(items),
      100,
      () => clock,
    );
    pacer.push("a");
    clock = 0;
    pacer.push("b");
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([["a"], ["b"]]);
  });
});
