import { describe, expect, test } from "vitest";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import { assembleDagSet } from "../../src/dags/dag-set.ts";
import type { ModuleLoadResult } from "../../src/dags/loader/loader-protocol.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";

function setOf(results: ModuleLoadResult[]) {
  return assembleDagSet("/r", new Map(results.map((result) => [result.file, result])), new Map());
}

const module = (file: string, ...ids: string[]): ModuleLoadResult => ({
  file,
  dags: ids.map((id, index) => ({ dag: { id } as DagDefinition, file, line: index + 1 })),
  errors: [],
});

const source = { commit: null, snapshot: "/r", prefix: "" };

describe("DagRegistry.apply", () => {
  test("lists DAGs in id order (code units), a stale one in its place", () => {
    const registry = new DagRegistry();
    registry.apply(
      setOf([module("a.ts", "b_two", "Zulu"), module("b.ts", "a_one"), module("c.ts", "c_3")]),
      source,
    );
    expect(registry.all().map((active) => active.definition.id)).toEqual(["Zulu", "a_one", "b_two", "c_3"]);
    const broken: ModuleLoadResult = {
      file: "b.ts",
      dags: [],
      errors: [{ file: "b.ts", line: 1, column: 1, kind: "syntax", message: "Unexpected }" }],
    };
    const changes = registry.apply(
      setOf([module("a.ts", "b_two", "Zulu"), broken, module("c.ts", "c_3")]),
      source,
    );
    expect(changes).toEqual({ added: [], updated: [], removed: [] });
    expect(registry.all().map((active) => [active.definition.id, active.stale])).toEqual([
      ["Zulu", false],
      ["a_one", true],
      ["b_two", false],
      ["c_3", false],
    ]);
  });
});
