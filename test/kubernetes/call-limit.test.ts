import { describe, expect, it } from "vitest";
import { CallLimit } from "../../src/kubernetes/call-limit.ts";

/** A call that stays in flight until the test releases it. */
function heldCall(log: string[], name: string) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  return {
    call: async () => {
      log.push(`start ${name}`);
      await held;
      log.push(`end ${name}`);
      return name;
    },
    release: () => release(),
  };
}

describe("CallLimit", () => {
  it("runs at most `limit` calls at once; the others start in order as slots free up", async () => {
    const limit = new CallLimit(2);
    const log: string[] = [];
    const calls = ["a", "b", "c", "d"].map((name) => heldCall(log, name));
    const results = calls.map((c) => limit.run(c.call));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(["start a", "start b"]);
    calls[1]?.release();
    await results[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(["start a", "start b", "end b", "start c"]);
    for (const c of calls) c.release();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
  });

  it("frees the slot of a call that throws", async () => {
    const limit = new CallLimit(1);
    await expect(limit.run(() => Promise.reject(new Error("API blinked")))).rejects.toThrow("API blinked");
    expect(await limit.run(async () => "next")).toBe("next");
  });
});
