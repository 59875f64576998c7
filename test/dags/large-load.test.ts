/**
 * Loads of many modules (issue 17): sources are compiled a bounded number of modules ahead of the
 * loader processes and released once sent, and scans of unchanged files are reused. Neither may
 * change what a load gives: every module its own result, each error on its own file and line, and
 * an incremental load equal to a load from scratch.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import { COMPILE_AHEAD, LoaderPool } from "../../src/dags/loader/loader-pool.ts";
import { type DagFolder, makeDagFolder } from "./support/dag-folder.ts";

const MODULES = 2 * COMPILE_AHEAD + 40;
const BROKEN = {
  syntax: 3,
  exception: COMPILE_AHEAD + 5,
  crash: COMPILE_AHEAD + 60,
  missingImport: MODULES - 2,
};

const modulePath = (index: number) => `mods/${index % 7}/m${index}.ts`;
const moduleText = (index: number, helper = index % 2 === 0 ? "image" : "other") =>
  `import { dag, pod } from "updraft";
import { IMAGE } from "../../lib/${helper}.ts";
export default dag({ id: "m_${String(index).padStart(4, "0")}", schedule: null, tasks: [pod({ id: "t", image: IMAGE })] });
`;

function repository(): Record<string, string> {
  const files: Record<string, string> = {
    "lib/image.ts": 'export const IMAGE = "busybox:1.36";\n',
    "lib/other.ts": 'import { IMAGE as BASE } from "./image.ts";\nexport const IMAGE = `${BASE}-other`;\n',
  };
  for (let index = 0; index < MODULES; index += 1) files[modulePath(index)] = moduleText(index);
  // Failing modules early, past the compile-ahead window, and near the end of the queue.
  files[modulePath(BROKEN.syntax)] =
    'import { dag } from "updraft";\nexport default dag({ id: "x", tasks: [ });\n';
  files[modulePath(BROKEN.exception)] =
    'import { dag } from "updraft";\n\nthrow new Error("broken on purpose");\n';
  // Takes its loader process down: the modules after it in its batch go to a fresh process.
  files[modulePath(BROKEN.crash)] = 'import { dag } from "updraft";\nprocess.kill(process.pid, "SIGKILL");\n';
  files[modulePath(BROKEN.missingImport)] =
    'import { dag } from "updraft";\nimport { X } from "./missing-helper.ts";\nexport default dag(X);\n';
  return files;
}

function comparable(set: DagSet) {
  return {
    dags: set.dags.map(({ dag, file, line }) => ({ dag, file, line })),
    errors: set.errors.map(({ file, line, kind, message }) => ({ file, line, kind, message })),
    scans: [...set.scans].sort(([a], [b]) => (a < b ? -1 : 1)),
    modules: [...set.modules.keys()].sort(),
  };
}

describe(`a load of ${MODULES} modules (more than the ${COMPILE_AHEAD} compiled ahead)`, () => {
  let folder: DagFolder;
  let pool: LoaderPool;
  let full: DagSet;

  beforeAll(async () => {
    folder = await makeDagFolder(repository());
    pool = new LoaderPool({ concurrency: 2 });
    ({ set: full } = await loadDagSet(pool, folder.root));
  }, 120_000);

  afterAll(async () => {
    await pool.close();
    await folder.cleanup();
  });

  test("every module gets its own result, and every error stays on its file and line", () => {
    expect(full.modules.size).toBe(MODULES);
    expect(full.dags).toHaveLength(MODULES - 4);
    expect(full.errors.map(({ file, line, kind }) => ({ file, line, kind }))).toEqual(
      [
        { file: modulePath(BROKEN.syntax), line: 2, kind: "syntax" },
        { file: modulePath(BROKEN.exception), line: 3, kind: "exception" },
        { file: modulePath(BROKEN.crash), line: null, kind: "crash" },
        { file: modulePath(BROKEN.missingImport), line: 2, kind: "exception" },
      ].sort((a, b) => (a.file < b.file ? -1 : 1)),
    );
    for (const loaded of full.dags) {
      const index = Number(loaded.dag.id.slice(2));
      expect(loaded.file).toBe(modulePath(index));
      expect(loaded.dag.tasks[0]?.image).toBe(index % 2 === 0 ? "busybox:1.36" : "busybox:1.36-other");
    }
  });

  test("an incremental load after changes equals a load from scratch", async () => {
    await folder.write(
      "lib/other.ts",
      'import { IMAGE as BASE } from "./image.ts";\nexport const IMAGE = `${BASE}-v2`;\n',
    );
    await folder.write("lib/third.ts", 'export const IMAGE = "alpine:3";\n');
    await folder.write(modulePath(10), moduleText(10, "third"));
    await folder.remove(modulePath(11));
    await folder.write(modulePath(BROKEN.syntax), moduleText(BROKEN.syntax));
    const changedFiles = [
      "lib/other.ts",
      "lib/third.ts",
      modulePath(10),
      modulePath(11),
      modulePath(BROKEN.syntax),
    ];
    const incremental = await loadDagSet(pool, folder.root, { previous: full, changedFiles });
    const scratch = await loadDagSet(pool, folder.root);
    expect(comparable(incremental.set)).toEqual(comparable(scratch.set));
    // Evaluated again: the importers of lib/other.ts (odd indexes, less m11, removed, and the broken
    // exception module, which imports nothing), m10 and the repaired module (which imports other).
    const oddModules = MODULES / 2;
    expect(incremental.stats.evaluated).toBe(oddModules - 2 + 1);
    const byId = new Map(scratch.set.dags.map((loaded) => [loaded.dag.id, loaded.dag.tasks[0]?.image]));
    expect(byId.get("m_0010")).toBe("alpine:3");
    expect(byId.get("m_0001")).toBe("busybox:1.36-v2");
    expect(byId.has("m_0011")).toBe(false);
  }, 120_000);
});
