import { describe, expect, test } from "vitest";
import { assembleDagSet } from "../../src/dags/dag-set.ts";
import type { LoadedDag, ModuleLoadResult } from "../../src/dags/loader/loader-protocol.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";

const loaded = (id: string, file: string, line: number): LoadedDag => ({
  dag: { id } as DagDefinition,
  file,
  line,
});

function modulesOf(...results: Array<[string, LoadedDag[]]>): Map<string, ModuleLoadResult> {
  return new Map(results.map(([file, dags]) => [file, { file, dags, errors: [] }]));
}

describe("assembleDagSet", () => {
  const modules = modulesOf(
    ["z.ts", [loaded("dag_9", "z.ts", 3), loaded("Beta", "z.ts", 9)]],
    ["a.ts", [loaded("dag_10", "a.ts", 2), loaded("alpha", "a.ts", 5)]],
    ["m.ts", [loaded("dag_9", "m.ts", 7)]],
    ["b.ts", [loaded("dag_9", "b.ts", 4)]],
  );

  test("sorts DAGs by id in code unit order (as `<` compares strings), one per id", () => {
    const set = assembleDagSet("/r", modules, new Map());
    expect(set.dags.map((d) => `${d.dag.id}@${d.file}`)).toEqual([
      "Beta@z.ts",
      "alpha@a.ts",
      "dag_10@a.ts",
      "dag_9@b.ts",
    ]);
  });

  test("an id defined in several files keeps the first by file and line; each other one is an error", () => {
    const set = assembleDagSet("/r", modules, new Map());
    expect(set.errors.map((e) => `${e.file}:${e.line} ${e.kind} ${e.dagId}`)).toEqual([
      "m.ts:7 duplicate dag_9",
      "z.ts:3 duplicate dag_9",
    ]);
    expect(set.errors[0]?.message).toContain("in b.ts:4 (in use) and in m.ts:7");
  });

  test("an id defined in several files keeps the definition that owned it before", () => {
    const set = assembleDagSet("/r", modules, new Map(), new Map([["dag_9", "z.ts"]]));
    expect(set.dags.find((d) => d.dag.id === "dag_9")?.file).toBe("z.ts");
    expect(set.errors.map((e) => `${e.file}:${e.line}`)).toEqual(["b.ts:4", "m.ts:7"]);
  });
});
