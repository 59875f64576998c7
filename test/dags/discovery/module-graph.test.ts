import { describe, expect, test } from "vitest";
import { affectedModules } from "../../../src/dags/discovery/module-graph.ts";
import { type ImportScan, scanImports } from "../../../src/dags/discovery/scan-imports.ts";

/** Scans a whole (in-memory) DAGs folder, as the loader would. */
function scanAll(files: Record<string, string>): Map<string, ImportScan> {
  return new Map(Object.entries(files).map(([file, text]) => [file, scanImports(file, text)]));
}

const UPDRAFT = 'import { dag, pod } from "updraft";\n';

const folder = scanAll({
  "orders.ts": `${UPDRAFT}import { IMAGE } from "./lib/images.ts";`,
  "etl/billing.ts": `${UPDRAFT}import { task } from "../lib/tasks";`,
  "etl/report.ts": `${UPDRAFT}import { task } from "../lib/tasks.js";`,
  "standalone.ts": UPDRAFT,
  "waiting.ts": `${UPDRAFT}import { later } from "./lib/not-yet-written";`,
  "lib/images.ts": 'export const IMAGE = "busybox";',
  "lib/tasks.ts": 'import { IMAGE } from "./images.ts";\nexport const task = IMAGE;',
  "lib/unused.ts": "export const nobody = 1;",
  "lib/ping.ts": 'import { pong } from "./pong.ts";\nexport const ping = 1;',
  "lib/pong.ts": 'import { ping } from "./ping.ts";\nexport const pong = 2;',
  "loop.ts": `${UPDRAFT}import { ping } from "./lib/ping.ts";`,
});

describe("affectedModules", () => {
  test("a changed DAG module affects only itself", () => {
    expect(affectedModules(folder, new Set(["standalone.ts"]))).toEqual(new Set(["standalone.ts"]));
  });

  test("a changed helper affects the DAG modules importing it, directly or through other helpers", () => {
    expect(affectedModules(folder, new Set(["lib/images.ts"]))).toEqual(
      new Set(["orders.ts", "etl/billing.ts", "etl/report.ts"]),
    );
  });

  test("a helper imported without extension or as .js is matched to its .ts file", () => {
    expect(affectedModules(folder, new Set(["lib/tasks.ts"]))).toEqual(
      new Set(["etl/billing.ts", "etl/report.ts"]),
    );
  });

  test("a helper nobody imports affects nothing", () => {
    expect(affectedModules(folder, new Set(["lib/unused.ts"]))).toEqual(new Set());
  });

  test("adding a file a module tried to import affects that module", () => {
    expect(affectedModules(folder, new Set(["lib/not-yet-written.ts"]))).toEqual(new Set(["waiting.ts"]));
  });

  test("helpers importing each other in a circle do not loop forever", () => {
    expect(affectedModules(folder, new Set(["lib/pong.ts"]))).toEqual(new Set(["loop.ts"]));
  });

  test("no change affects nothing; several changes affect the union", () => {
    expect(affectedModules(folder, new Set())).toEqual(new Set());
    expect(affectedModules(folder, new Set(["standalone.ts", "lib/ping.ts"]))).toEqual(
      new Set(["standalone.ts", "loop.ts"]),
    );
  });

  test("a DAG module imported by another DAG module affects both", () => {
    const scans = scanAll({
      "base.ts": `${UPDRAFT}export const base = 1;`,
      "derived.ts": `${UPDRAFT}import { base } from "./base.ts";`,
    });
    expect(affectedModules(scans, new Set(["base.ts"]))).toEqual(new Set(["base.ts", "derived.ts"]));
  });
});
