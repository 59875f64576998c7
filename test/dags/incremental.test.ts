/**
 * Incremental loading: given the files that changed, only the DAG modules they affect are
 * evaluated again (in fresh loader processes, so changed helpers are really re-read).
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../src/dags/loader/loader-pool.ts";
import { type DagFolder, makeDagFolder, simpleDag } from "./support/dag-folder.ts";

/** A DAG module whose task image comes from the shared helper. */
const usesImageHelper = (id: string, specifier: string) =>
  `import { dag, pod } from "updraft";
import { IMAGE } from "${specifier}";
export default dag({ id: "${id}", schedule: null, tasks: [pod({ id: "t", image: IMAGE })] });
`;

const imagesOf = (set: DagSet) =>
  Object.fromEntries(set.dags.map((loaded) => [loaded.dag.id, loaded.dag.tasks[0]?.image]));

describe("incremental loading", () => {
  let folder: DagFolder;
  let pool: LoaderPool;
  let full: DagSet;

  beforeEach(async () => {
    folder = await makeDagFolder({
      "a.ts": usesImageHelper("a", "./lib/image.ts"),
      "nested/b.ts": usesImageHelper("b", "../lib/image"),
      "nested/deeper/c.ts": usesImageHelper("c", "../../lib/image.js"),
      "d.ts": simpleDag("d", "alpine:3"),
      "e.ts": simpleDag("e", "alpine:3"),
      "lib/image.ts": 'export const IMAGE = "busybox:1.36";\n',
    });
    pool = new LoaderPool();
    const loaded = await loadDagSet(pool, folder.root);
    full = loaded.set;
    expect(loaded.stats).toMatchObject({ files: 6, modules: 5, evaluated: 5 });
  });

  afterEach(async () => {
    await pool.close();
    await folder.cleanup();
  });

  test("the full load evaluated every DAG module", () => {
    expect(imagesOf(full)).toEqual({
      a: "busybox:1.36",
      b: "busybox:1.36",
      c: "busybox:1.36",
      d: "alpine:3",
      e: "alpine:3",
    });
  });

  test("changing one DAG file re-evaluates only that file", async () => {
    await folder.write("d.ts", simpleDag("d", "alpine:3.20"));
    const { set, stats } = await loadDagSet(pool, folder.root, { previous: full, changedFiles: ["d.ts"] });
    expect(stats.evaluated).toBe(1);
    expect(imagesOf(set)).toEqual({
      a: "busybox:1.36",
      b: "busybox:1.36",
      c: "busybox:1.36",
      d: "alpine:3.20",
      e: "alpine:3",
    });
    // The others are the very results of the earlier load.
    for (const file of ["a.ts", "nested/b.ts", "nested/deeper/c.ts", "e.ts"]) {
      expect(set.modules.get(file)).toBe(full.modules.get(file));
    }
  });

  test("changing a helper re-evaluates exactly the 3 modules importing it, and the new value shows", async () => {
    await folder.write("lib/image.ts", 'export const IMAGE = "busybox:1.37";\n');
    const { set, stats } = await loadDagSet(pool, folder.root, {
      previous: full,
      changedFiles: ["lib/image.ts"],
    });
    expect(stats.evaluated).toBe(3);
    expect(imagesOf(set)).toEqual({
      a: "busybox:1.37",
      b: "busybox:1.37",
      c: "busybox:1.37",
      d: "alpine:3",
      e: "alpine:3",
    });
    expect(set.modules.get("d.ts")).toBe(full.modules.get("d.ts"));
    expect(set.modules.get("e.ts")).toBe(full.modules.get("e.ts"));
  });

  test("a helper change that breaks its importers is reported on each of them", async () => {
    await folder.write("lib/image.ts", 'export const IMAGE = "Busybox";\n');
    const { set, stats } = await loadDagSet(pool, folder.root, {
      previous: full,
      changedFiles: ["lib/image.ts"],
    });
    expect(stats.evaluated).toBe(3);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["d", "e"]);
    expect(set.errors.map((error) => [error.file, error.line, error.message])).toEqual([
      ["a.ts", 3, 'DAG "a": tasks[0].image: "Busybox" repository name "Busybox" must be lower case'],
      ["nested/b.ts", 3, 'DAG "b": tasks[0].image: "Busybox" repository name "Busybox" must be lower case'],
      [
        "nested/deeper/c.ts",
        3,
        'DAG "c": tasks[0].image: "Busybox" repository name "Busybox" must be lower case',
      ],
    ]);
  });

  test("deleting a DAG file removes its DAGs", async () => {
    await folder.remove("e.ts");
    const { set, stats } = await loadDagSet(pool, folder.root, { previous: full, changedFiles: ["e.ts"] });
    expect(stats).toMatchObject({ files: 5, modules: 4, evaluated: 0 });
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["a", "b", "c", "d"]);
    expect(set.modules.has("e.ts")).toBe(false);
  });

  test("adding a new DAG file evaluates only it", async () => {
    await folder.write("new/f.ts", simpleDag("f"));
    const { set, stats } = await loadDagSet(pool, folder.root, {
      previous: full,
      changedFiles: ["new/f.ts"],
    });
    expect(stats.evaluated).toBe(1);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  test("adding a helper a module was missing reloads that module", async () => {
    await folder.write("waiting.ts", usesImageHelper("waiting", "./lib/later"));
    const before = await loadDagSet(pool, folder.root, { previous: full, changedFiles: ["waiting.ts"] });
    expect(before.stats.evaluated).toBe(1);
    expect(before.set.errors).toEqual([
      expect.objectContaining({
        file: "waiting.ts",
        line: 2,
        kind: "exception",
        message: expect.stringContaining("Cannot find module"),
      }),
    ]);

    await folder.write("lib/later.ts", 'export const IMAGE = "busybox:later";\n');
    const after = await loadDagSet(pool, folder.root, {
      previous: before.set,
      changedFiles: ["lib/later.ts"],
    });
    expect(after.stats.evaluated).toBe(1);
    expect(after.set.errors).toEqual([]);
    expect(imagesOf(after.set)).toMatchObject({ waiting: "busybox:later", a: "busybox:1.36" });
  });

  test("a DAG id clash added later never takes the id from the file that had it", async () => {
    // "0-early.ts" sorts before "d.ts", so in a full load it would win the id.
    await folder.write("0-early.ts", simpleDag("d", "busybox:clash"));
    const { set } = await loadDagSet(pool, folder.root, { previous: full, changedFiles: ["0-early.ts"] });
    expect(set.dags.find((loaded) => loaded.dag.id === "d")?.file).toBe("d.ts");
    expect(set.errors).toEqual([
      {
        file: "0-early.ts",
        line: 2,
        column: null,
        kind: "duplicate",
        dagId: "d",
        message:
          'DAG id "d" is defined twice: in d.ts:2 (in use) and in 0-early.ts:2; DAG ids must be unique across the repository',
      },
    ]);
  });

  test("with no changes nothing is evaluated and the same DAGs result", async () => {
    const { set, stats } = await loadDagSet(pool, folder.root, { previous: full, changedFiles: [] });
    expect(stats.evaluated).toBe(0);
    expect(set.dags).toEqual(full.dags);
  });
});
