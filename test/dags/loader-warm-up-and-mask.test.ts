/**
 * Two speed-ups of the one-file reload that must not change what is loaded: the DAG module every
 * loader process evaluates before it is ready is a valid DAG that never reaches a load's results,
 * and the registry's masked definitions, cached by identity, are masked again once a secret is added.
 */
import { afterAll, describe, expect, it } from "vitest";
import { applyDagSet } from "../../src/dags/active-dags.ts";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../src/dags/loader/loader-pool.ts";
import { warmUpSource } from "../../src/dags/loader/loader-warm-up.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { makeDagFolder, simpleDag } from "./support/dag-folder.ts";

describe("one-file reload speed-ups", () => {
  const pool = new LoaderPool({}, { prewarm: true });
  afterAll(() => pool.close());

  it("the loader's warm-up module is a valid DAG module, and a load returns only the folder's DAGs", async () => {
    const source = warmUpSource();
    if (source.kind !== "module") throw new Error("the warm-up source is not a module");
    const folder = await makeDagFolder({
      "warm-up.mjs": source.code,
      "mine.ts": simpleDag("mine", "alpine:3"),
    });
    try {
      const { set } = await loadDagSet(pool, folder.root);
      expect(set.errors).toEqual([]);
      expect(set.dags.map((loaded) => [loaded.dag.id, loaded.file])).toEqual([
        ["loader_warm_up", "warm-up.mjs"],
        ["mine", "mine.ts"],
      ]);
      const { set: alone } = await loadDagSet(pool, folder.root, {
        previous: set,
        changedFiles: ["mine.ts"],
      });
      expect(alone.dags.filter((loaded) => loaded.file !== "warm-up.mjs").map((l) => l.dag.id)).toEqual([
        "mine",
      ]);
    } finally {
      await folder.cleanup();
    }
  });

  it("masks an unchanged definition again after a secret is added, and keeps it the same object otherwise", async () => {
    const folder = await makeDagFolder({
      "a.ts": simpleDag("a", "registry.example.com/late-secret-value:1"),
      "b.ts": simpleDag("b", "alpine:3"),
    });
    try {
      const mask = new SecretMask(["early-secret-value"]);
      const registry = new DagRegistry(mask);
      const { set } = await loadDagSet(pool, folder.root);
      const source = { commit: "c1", snapshot: folder.root, prefix: "" };
      registry.apply(set, source);
      const before = registry.get("a")?.definition;
      expect(JSON.stringify(before)).toContain("late-secret-value");

      const { set: next } = await loadDagSet(pool, folder.root, { previous: set, changedFiles: ["b.ts"] });
      expect(registry.apply(next, { ...source, commit: "c2" }).updated).toEqual([]);
      expect(registry.get("a")?.definition).toBe(before);

      mask.add("late-secret-value");
      registry.apply(next, { ...source, commit: "c3" });
      expect(JSON.stringify(registry.get("a")?.definition)).not.toContain("late-secret-value");
      expect(JSON.stringify(registry.get("a")?.definition)).toContain("***");
    } finally {
      await folder.cleanup();
    }
  });
});

describe("applyDagSet order", () => {
  it("keeps the DAGs in id order when a DAG kept stale sorts before the loaded ones", () => {
    const loaded = (id: string) => ({ dag: { id } as unknown as DagDefinition, file: `${id}.ts`, line: 1 });
    const source = { commit: "c1", snapshot: "/snap", prefix: "" };
    const first = applyDagSet(
      new Map(),
      { ...emptySet, dags: [loaded("a"), loaded("b"), loaded("c")] },
      source,
    );
    const broken = {
      ...emptySet,
      dags: [loaded("b"), loaded("c")],
      errors: [{ file: "a.ts", line: 1, column: null, kind: "syntax" as const, message: "broken" }],
    };
    const next = applyDagSet(first.dags, broken, { ...source, commit: "c2" });
    expect([...next.dags.keys()]).toEqual(["a", "b", "c"]);
    expect(next.dags.get("a")?.stale).toBe(true);
    const unchanged = applyDagSet(next.dags, { ...emptySet, dags: [loaded("b"), loaded("c")] }, source);
    expect([...unchanged.dags.keys()]).toEqual(["b", "c"]);
  });
});

const emptySet: DagSet = { root: "/snap", dags: [], errors: [], modules: new Map(), scans: new Map() };
