import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findSourceFiles } from "../../../src/dags/discovery/find-source-files.ts";
import { type DagFolder, makeDagFolder } from "../support/dag-folder.ts";

const ANY = "export const x = 1;\n";

describe("findSourceFiles", () => {
  let folder: DagFolder;

  beforeAll(async () => {
    folder = await makeDagFolder({
      "top.ts": ANY,
      "a/b/c/d/deep.ts": ANY,
      "etl/daily/orders.ts": ANY,
      "etl/lib/defaults.mts": ANY,
      "js/plain.js": ANY,
      "js/module.mjs": ANY,
      "js/types.d.ts": ANY,
      "js/legacy.cjs": ANY,
      "README.md": "# dags\n",
      "data/config.json": "{}",
      // Root .updraftignore: gitignore syntax, applies at every depth.
      ".updraftignore": "# drafts are not ready\ndrafts/\n*.wip.ts\n!keep.wip.ts\n/rootonly.ts\n",
      "drafts/idea.ts": ANY,
      "etl/drafts/nested-idea.ts": ANY,
      "half.wip.ts": ANY,
      "etl/daily/also.wip.ts": ANY,
      "keep.wip.ts": ANY,
      "rootonly.ts": ANY,
      "etl/rootonly.ts": ANY,
      // A subfolder's .updraftignore: relative to that folder, and only inside it.
      "team/.updraftignore": "/old/\nscratch.ts\n",
      "team/old/v1.ts": ANY,
      "team/sub/old/v2.ts": ANY,
      "team/scratch.ts": ANY,
      "team/sub/scratch.ts": ANY,
      "team/current.ts": ANY,
      "old/v1.ts": ANY,
      "scratch.ts": ANY,
      // Never looked at.
      "node_modules/some-pkg/index.ts": ANY,
      "etl/node_modules/dep/index.js": ANY,
      ".git/hooks/pre-commit.js": ANY,
      ".github/workflows/ci.ts": ANY,
      "etl/.cache/x.ts": ANY,
      ".hidden.ts": ANY,
    });
  });

  afterAll(() => folder.cleanup());

  test("finds every source file at any depth, sorted, with ignored and skipped paths left out", async () => {
    expect(await findSourceFiles(folder.root)).toEqual([
      "a/b/c/d/deep.ts",
      "etl/daily/orders.ts",
      "etl/lib/defaults.mts",
      "etl/rootonly.ts",
      "js/module.mjs",
      "js/plain.js",
      "keep.wip.ts",
      "old/v1.ts",
      "scratch.ts",
      "team/current.ts",
      "team/sub/old/v2.ts",
      "top.ts",
    ]);
  });

  test("without any .updraftignore, the ignored files are found again", async () => {
    const bare = await makeDagFolder({
      "drafts/idea.ts": ANY,
      "half.wip.ts": ANY,
      "node_modules/x/y.ts": ANY,
    });
    try {
      expect(await findSourceFiles(bare.root)).toEqual(["drafts/idea.ts", "half.wip.ts"]);
    } finally {
      await bare.cleanup();
    }
  });
});
