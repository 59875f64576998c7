import { describe, expect, it } from "vitest";
import { EventBus } from "../../src/events/event-bus.ts";

interface Events {
  tick: { n: number };
  tock: string;
}

describe("EventBus", () => {
  it("calls each listener of an event in order, and stops after unsubscribe", () => {
    const bus = new EventBus<Events>();
    const seen: string[] = [];
    const off = bus.on("tick", ({ n }) => seen.push(`a${n}`));
    bus.on("tick", ({ n }) => seen.push(`b${n}`));
    bus.on("tock", (text) => seen.push(text));
    bus.emit("tick", { n: 1 });
    off();
    bus.emit("tick", { n: 2 });
    expect(seen).toEqual(["a1", "b1", "b2"]);
  });

  it("keeps going when a listener throws, and reports the error", () => {
    const errors: Array<[unknown, string]> = [];
    const bus = new EventBus<Events>((error, event) => errors.push([error, String(event)]));
    const seen: number[] = [];
    bus.on("tick", () => {
      throw new Error("broken subscriber");
    });
    bus.on("tick", ({ n }) => seen.push(n));
    expect(() => bus.emit("tick", { n: 7 })).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([[new Error("broken subscriber"), "tick"]]);
  });

  it("next() resolves with the first matching payload", async () => {
    const bus = new EventBus<Events>();
    const third = bus.next("tick", ({ n }) => n === 3);
    for (const n of [1, 2, 3, 4]) bus.emit("tick", { n });
    await expect(third).resolves.toEqual({ n: 3 });
  });
});
