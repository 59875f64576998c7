import { describe, expect, test } from "vitest";
import { scanImports } from "../../../src/dags/discovery/scan-imports.ts";

const ANY_EXTENSION = (base: string) => [
  base,
  `${base}.ts`,
  `${base}.mts`,
  `${base}.js`,
  `${base}.mjs`,
  `${base}/index.ts`,
  `${base}/index.mts`,
  `${base}/index.js`,
  `${base}/index.mjs`,
];

describe("scanImports: is it a DAG module?", () => {
  test.each([
    ['import { dag, pod } from "updraft";'],
    ["import { dag } from 'updraft'"],
    ['import * as updraft from "updraft";'],
    ['import {\n  dag,\n  pod,\n} from "updraft";'],
    ['const { dag } = await import("updraft");'],
    ['export { dag } from "updraft";'],
    // A file typed with the SDK's types (DAGs made by a factory elsewhere) is a DAG module too.
    ['import type { Dag } from "updraft";'],
  ])("%j imports updraft", (text) => {
    expect(scanImports("x.ts", text).importsUpdraft).toBe(true);
  });

  test.each([
    ['export const NODE_IMAGE = "node:20-alpine";'],
    ['const tool = "updraft";\nconsole.log(tool);'],
    ['import { z } from "zod";'],
    ['import { dag } from "updraft-extras";'],
    ['import { dag } from "./updraft";'],
  ])("%j does not import updraft (a helper)", (text) => {
    expect(scanImports("x.ts", text).importsUpdraft).toBe(false);
  });
});

describe("scanImports: relative imports", () => {
  test("an extensionless import may be any source file or folder index, relative to the importer", () => {
    expect(scanImports("etl/daily/orders.ts", 'import { a } from "./lib/helpers";').relativeImports).toEqual([
      ANY_EXTENSION("etl/daily/lib/helpers"),
    ]);
  });

  test("a .ts import means that file; ../ climbs out of the importer's folder", () => {
    expect(
      scanImports("etl/daily/orders.ts", 'import { NODE_IMAGE } from "../lib/defaults.ts";').relativeImports,
    ).toEqual([["etl/lib/defaults.ts"]]);
  });

  test("a .js import may be the .ts file it was compiled from, a .mjs import the .mts one", () => {
    const text = 'import { a } from "./a.js";\nimport { b } from "./b.mjs";';
    expect(scanImports("jobs/x.ts", text).relativeImports).toEqual([
      ["jobs/a.js", "jobs/a.ts"],
      ["jobs/b.mjs", "jobs/b.mts"],
    ]);
  });

  test("side-effect imports, re-exports, dynamic imports and require are all found; packages are not", () => {
    const text = [
      'import "./setup.ts";',
      'import fs from "node:fs";',
      'import { z } from "zod";',
      'export * from "./reexported.ts";',
      'export { one, two } from "./named.ts";',
      'import def, { more } from "./mixed.ts";',
      'const lazy = await import("./lazy.ts");',
      'const old = require("./old.js");',
      'import type { T } from "./types.ts";',
    ].join("\n");
    expect(scanImports("x.ts", text).relativeImports).toEqual([
      ["setup.ts"],
      ["reexported.ts"],
      ["named.ts"],
      ["mixed.ts"],
      ["types.ts"],
      ["lazy.ts"],
      ["old.js", "old.ts"],
    ]);
  });

  test("a multi-line import list is found", () => {
    const text = 'import {\n  first,\n  second,\n} from "../shared/values.ts";\n';
    expect(scanImports("a/b.ts", text).relativeImports).toEqual([["shared/values.ts"]]);
  });

  test("the same specifier imported twice is listed once", () => {
    const text = 'import { a } from "./h.ts";\nimport { b } from "./h.ts";';
    expect(scanImports("x.ts", text).relativeImports).toEqual([["h.ts"]]);
  });

  test("a file without imports has none", () => {
    expect(scanImports("x.ts", "export const x = 1;\n")).toEqual({
      importsUpdraft: false,
      relativeImports: [],
    });
  });
});
