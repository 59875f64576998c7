// Issue 12 point 3: the composition root reads like a list of parts being wired. What each part
// does lives with its concept; the root only builds and connects them.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(fileURLToPath(new URL("../../src", import.meta.url)));
const DAEMON = readFileSync(path.join(SRC, "daemon.ts"), "utf8");

/** The lines of `export function name(` up to its closing brace at the start of a line. */
function functionLines(source: string, name: string): string[] {
  const lines = source.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`export function ${name}(`));
  const end = lines.findIndex((line, index) => index > start && line === "}");
  return start < 0 || end < 0 ? [] : lines.slice(start, end + 1);
}

describe("the composition root (src/daemon.ts)", () => {
  it("keeps createDaemon at most 80 lines", () => {
    const lines = functionLines(DAEMON, "createDaemon");
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.length).toBeLessThanOrEqual(80);
  });

  it("reads neither the process environment nor the clock: both are injected", () => {
    const pieces = readdirSync(path.join(SRC, "daemon"), { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
      .map((entry) => path.join("daemon", entry.name));
    for (const file of ["daemon.ts", ...pieces]) {
      const text = readFileSync(path.join(SRC, file), "utf8");
      expect(text, file).not.toMatch(/process\.env|Date\.now\(\)|new Date\(\)|systemClock/);
    }
  });

  it("keeps sync history, the health report and try activity with their concepts", () => {
    expect(DAEMON).not.toMatch(/history\.push|history\.shift|stalledFor\(|\.tasks\.find\(/);
  });
});
