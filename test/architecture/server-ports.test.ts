// Issue 12 point 2: the HTTP layer depends on narrow ports, not on the concrete Scheduler, RunStore
// and DagRegistry classes, and takes the run vocabulary from src/runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./folder-graph.ts";

const SRC = path.resolve(fileURLToPath(new URL("../../src", import.meta.url)));

/** Every `import … from "<relative>"` of the files under `dir`, as "file: names from target". */
function importsInto(dir: string, targets: RegExp): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(SRC, dir))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), match[3] ?? ""));
      if (!targets.test(target)) continue;
      const names = (match[2] ?? "")
        .split(",")
        .map((name) => name.replace(/^\s*type\s+/, "").trim())
        .filter(Boolean)
        .sort();
      found.push(`${path.relative(SRC, file)}: ${names.join(", ")} from ${target}`);
    }
  }
  return found.sort();
}

describe("the server's dependencies", () => {
  it("names no concrete Scheduler, RunStore or DagRegistry; of the scheduler, only its error and next-run", () => {
    expect(importsInto("server", /^(scheduler|store\/run-store|dags\/dag-registry)/)).toEqual([
      "server/routes/run-routes.ts: SchedulerError from scheduler/scheduler.ts",
      "server/views/next-run-at.ts: ScheduleFields, nextRunAfter from scheduler/next-run.ts",
    ]);
  });
});

describe("the run vocabulary (src/runs)", () => {
  it("holds the state file's types: nobody takes them from the store", () => {
    const names = /\b(ActiveState|DagState|RunCursor|newestFirst)\b/;
    const fromStore = [
      ...importsInto("scheduler", /^store\/run-store/),
      ...importsInto("server", /^store\/run-store/),
      ...importsInto("executor", /^store\/run-store/),
    ].filter((line) => names.test(line));
    expect(fromStore).toEqual([]);
  });
});
