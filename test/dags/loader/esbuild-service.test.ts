/**
 * The daemon's esbuild service runs with GOGC=400 unless the user set GOGC (issue #17, point 2:
 * a quarter less of its CPU at a cold load of 10,000 modules), and the daemon's own environment,
 * which loader processes and local tasks inherit, is left as it was.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";

function esbuildChildren(): Set<number> {
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8");
  return new Set(
    children
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "esbuild";
        } catch {
          return false;
        }
      }),
  );
}

function gogcOf(pid: number): string | undefined {
  const variables = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  return variables.find((variable) => variable.startsWith("GOGC="))?.slice("GOGC=".length);
}

test.runIf(process.platform === "linux")(
  "the service a compile starts gets GOGC=400; the daemon's environment is unchanged",
  async () => {
    const before = esbuildChildren();
    expect(process.env.GOGC).toBeUndefined();
    const { transform } = await import("../../../src/dags/loader/esbuild-service.ts");
    await transform("export const a: number = 1;", { loader: "ts" });
    const started = [...esbuildChildren()].filter((pid) => !before.has(pid));
    expect(started).toHaveLength(1);
    expect(gogcOf(started[0] ?? 0)).toBe("400");
    expect(process.env.GOGC).toBeUndefined();
  },
);
