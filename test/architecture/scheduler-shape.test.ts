// Issue 12 points 1 and 2: the scheduler is a thin loop over pure planning, and knows neither the
// executors by name nor the HTTP API's paths.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SCHEDULER = path.resolve(fileURLToPath(new URL("../../src/scheduler", import.meta.url)));
const sources = readdirSync(SCHEDULER)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => ({ file, text: readFileSync(path.join(SCHEDULER, file), "utf8") }));

describe("src/scheduler", () => {
  it("keeps the Scheduler class, the loop, at most 250 lines", () => {
    const lines = readFileSync(path.join(SCHEDULER, "scheduler.ts"), "utf8").split("\n").length - 1;
    expect(lines).toBeLessThanOrEqual(250);
  });

  it("names no executor and builds no HTTP path", () => {
    const found = sources.flatMap(({ file, text }) =>
      [/\.name\s*===/, /["'`]local["'`]/, /["'`]kubernetes["'`]/, /\/api\//, /\/logs\b/]
        .filter((pattern) => pattern.test(text))
        .map((pattern) => `${file}: ${pattern}`),
    );
    expect(found).toEqual([]);
  });
});
