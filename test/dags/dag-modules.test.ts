/**
 * What a DAG module is and what it may do: export shapes, file types, relative helper imports,
 * recursive discovery with .updraftignore, node_modules and dot-folders skipped.
 */
import { describe, expect, test } from "vitest";
import { simpleDag } from "./support/dag-folder.ts";
import { useLoadedDagSet } from "./support/loaded-dag-set.ts";

/** A module that must never be evaluated: loading it would show up as an error. */
const MUST_NOT_LOAD = 'import "updraft";\nthrow new Error("this file must not be loaded");\n';

const FILES: Record<string, string> = {
  // Export shapes.
  "exports/default.ts": simpleDag("default_export"),
  "exports/named.ts": `import { dag, pod } from "updraft";
const task = pod({ id: "t", image: "busybox" });
export const first = dag({ id: "named_first", schedule: null, tasks: [task] });
export const second = dag({ id: "named_second", schedule: "@daily", tasks: [task] });
export const notADag = { id: "plain_object", schedule: null, tasks: [] };
export const alsoNot = "named_third";
export function build() { return dag({ id: "never_called", schedule: null, tasks: [task] }); }
`,
  "exports/arrays.ts": `import { dag, pod } from "updraft";
const make = (id: string) => dag({ id, schedule: null, tasks: [pod({ id: "t", image: "busybox" })] });
export default [make("array_default_1"), make("array_default_2")];
export const more = [make("array_named"), "not a dag", 42, null];
`,
  "exports/twice.ts": `import { dag, pod } from "updraft";
export const once = dag({ id: "exported_twice", schedule: null, tasks: [pod({ id: "t", image: "busybox" })] });
export default once;
export const inList = [once];
`,
  // DAGs made by a factory function in another file.
  "factory/lib/make-dag.ts": `import { dag, pod } from "updraft";
export function nightly(id: string, image: string) {
  return dag({ id, schedule: "0 2 * * *", tasks: [pod({ id: "run", image })] });
}
`,
  // Importing updraft (a type is enough) is what makes a file a DAG module.
  "factory/jobs.ts": `import type { Dag } from "updraft";
import { nightly } from "./lib/make-dag.ts";

export const cleanup: Dag = nightly("nightly_cleanup", "busybox");
export const backup: Dag = nightly("nightly_backup", "alpine:3");
`,
  // File types.
  "types/module.mts": simpleDag("from_mts"),
  "types/plain.js": simpleDag("from_js"),
  "types/esm.mjs": simpleDag("from_mjs"),
  "types/commonjs-package/package.json": '{ "type": "commonjs" }\n',
  "types/commonjs-package/still-esm.js": simpleDag("esm_despite_package_json"),
  // Helpers imported every way tsx resolves them.
  "helpers/uses-helpers.ts": `import { dag, pod } from "updraft";
import { REGISTRY } from "./lib/registry";
import { tagged } from "./lib/images.ts";
import { shell } from "./lib/commands.js";
import { TEAM } from "../shared/team.mts";
import { ZONE } from "./lib/tla.ts";
export default dag({
  id: "uses_helpers",
  schedule: "0 6 * * *",
  timezone: ZONE,
  owner: TEAM,
  tasks: [pod({ id: "t", image: tagged(\`\${REGISTRY}/app\`, "1.2.3"), command: shell("echo ok") })],
});
`,
  "helpers/lib/registry.ts": 'export const REGISTRY = "registry.example.com/team";\n',
  "helpers/lib/images.ts": `import path from "node:path";
export const tagged = (repository: string, tag: string) => \`\${path.posix.normalize(repository)}:\${tag}\`;
`,
  "helpers/lib/commands.ts": 'export const shell = (script: string) => ["sh", "-c", script];\n',
  "helpers/lib/tla.ts": 'export const ZONE = await Promise.resolve("Europe/Berlin");\n',
  "shared/team.mts": 'export const TEAM = "data-platform";\n',
  // A helper nobody imports is never evaluated.
  "helpers/lib/unused.ts": 'throw new Error("helpers nobody imports must not be evaluated");\n',
  // Discovery: any depth, .updraftignore at the root and in a subfolder, skipped folders.
  "deep/a/b/c/d/e/leaf.ts": simpleDag("deep_leaf"),
  ".updraftignore": "drafts/\n*.wip.ts\n",
  "drafts/idea.ts": MUST_NOT_LOAD,
  "deep/a/unfinished.wip.ts": MUST_NOT_LOAD,
  "team/.updraftignore": "/archive/\nscratch.ts\n",
  "team/archive/old.ts": MUST_NOT_LOAD,
  "team/x/scratch.ts": MUST_NOT_LOAD,
  "team/current.ts": simpleDag("team_current"),
  "archive/kept.ts": simpleDag("archive_outside_team"),
  "node_modules/some-pkg/index.ts": MUST_NOT_LOAD,
  "deep/node_modules/dep/dag.ts": MUST_NOT_LOAD,
  ".hidden/dag.ts": MUST_NOT_LOAD,
  "deep/.cache/dag.ts": MUST_NOT_LOAD,
  "types/types.d.ts": "export declare const x: number;\n",
};

describe("DAG modules", () => {
  const set = useLoadedDagSet(FILES);
  const dagIn = (file: string) =>
    set.dags.filter((loaded) => loaded.file === file).map((loaded) => loaded.dag.id);

  test("nothing in the folder is broken, and nothing ignored or skipped was loaded", () => {
    expect(set.errors).toEqual([]);
  });

  test("a default export registers its DAG", () => {
    expect(dagIn("exports/default.ts")).toEqual(["default_export"]);
  });

  test("every exported DAG registers, other exports are ignored", () => {
    expect(dagIn("exports/named.ts")).toEqual(["named_first", "named_second"]);
  });

  test("arrays of DAGs register each DAG, whether default or named", () => {
    expect(dagIn("exports/arrays.ts")).toEqual(["array_default_1", "array_default_2", "array_named"]);
  });

  test("the same DAG exported several times counts once, and is no duplicate", () => {
    expect(dagIn("exports/twice.ts")).toEqual(["exported_twice"]);
  });

  test("DAGs made by a factory in another file are located at the factory call in the module", () => {
    expect(
      set.dags
        .filter((loaded) => loaded.file === "factory/jobs.ts")
        .map((loaded) => [loaded.dag.id, loaded.line]),
    ).toEqual([
      ["nightly_backup", 5],
      ["nightly_cleanup", 4],
    ]);
    // The factory's own file imports updraft, so it is a DAG module too; it exports no DAG.
    expect(dagIn("factory/lib/make-dag.ts")).toEqual([]);
  });

  test(".ts, .mts, .js and .mjs files are DAG modules, ES modules even under a commonjs package.json", () => {
    expect(
      ["types/module.mts", "types/plain.js", "types/esm.mjs", "types/commonjs-package/still-esm.js"].map(
        dagIn,
      ),
    ).toEqual([["from_mts"], ["from_js"], ["from_mjs"], ["esm_despite_package_json"]]);
  });

  test("helpers are imported extensionless, as .ts, as .js (meaning .ts), as .mts, from ../ and with top-level await", () => {
    const loaded = set.dags.find((d) => d.dag.id === "uses_helpers");
    expect(loaded?.dag).toMatchObject({
      timezone: "Europe/Berlin",
      owner: "data-platform",
      tasks: [{ id: "t", image: "registry.example.com/team/app:1.2.3", command: ["sh", "-c", "echo ok"] }],
    });
  });

  test("only files that import updraft were evaluated as DAG modules", () => {
    expect([...set.modules.keys()].sort()).toEqual([
      "archive/kept.ts",
      "deep/a/b/c/d/e/leaf.ts",
      "exports/arrays.ts",
      "exports/default.ts",
      "exports/named.ts",
      "exports/twice.ts",
      "factory/jobs.ts",
      "factory/lib/make-dag.ts",
      "helpers/uses-helpers.ts",
      "team/current.ts",
      "types/commonjs-package/still-esm.js",
      "types/esm.mjs",
      "types/module.mts",
      "types/plain.js",
    ]);
    expect([...set.scans.keys()]).toContain("helpers/lib/unused.ts");
  });

  test("discovery goes to any depth; .updraftignore rules apply relative to their folder", () => {
    expect(dagIn("deep/a/b/c/d/e/leaf.ts")).toEqual(["deep_leaf"]);
    expect(dagIn("team/current.ts")).toEqual(["team_current"]);
    expect(dagIn("archive/kept.ts")).toEqual(["archive_outside_team"]);
    expect(set.dags).toHaveLength(17);
  });
});
