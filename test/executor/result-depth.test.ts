// A task result nested thousands deep parses but could never be written to the state file again
// (JSON.stringify recurses): it fails only that try, with the reason.
import { expect, it } from "vitest";
import { parseResult } from "../../src/executor/result-marker.ts";

it("a result nested deeper than 64 levels is refused with the reason; 64 levels are kept", () => {
  const deep = `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`;
  expect(parseResult(deep)).toEqual({
    ok: false,
    reason: "result is nested more than 64 levels deep; flatten it",
  });
  const kept = parseResult(`${"[".repeat(64)}${"]".repeat(64)}`);
  expect(kept.ok && kept.result.present).toBe(true);
  expect(() => JSON.stringify(kept.ok && kept.result)).not.toThrow();
});
