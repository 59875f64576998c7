/**
 * The pool's ResultCheck (the daemon's Pod check) runs on each module's result as it arrives, while
 * the loader processes evaluate the next modules (issue #17, point 2): once per module, its result
 * being what the load returns, in the order of the files asked; a check that throws still fails
 * the load, and the daemon with it never.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { LoaderPool, type ResultCheck } from "../../../src/dags/loader/loader-pool.ts";
import type { ModuleLoadResult } from "../../../src/dags/loader/loader-protocol.ts";
import { type DagFolder, makeDagFolder, simpleDag } from "../support/dag-folder.ts";

/** A module that finishes only once `flag` exists. */
const waitsFor = (flag: string) => `import { existsSync } from "node:fs";
import { dag, pod } from "updraft";
while (!existsSync(${JSON.stringify(flag)})) await new Promise((resolve) => setTimeout(resolve, 10));
export default dag({ id: "waited", schedule: null, tasks: [pod({ id: "only", image: "busybox:1.36" })] });
`;

const marked = (result: ModuleLoadResult): ModuleLoadResult => ({
  ...result,
  errors: [
    ...result.errors,
    { file: result.file, line: null, column: null, kind: "validation", message: "checked" },
  ],
});

describe("the pool's result check", () => {
  let folder: DagFolder | undefined;
  let pool: LoaderPool | undefined;
  afterEach(async () => {
    await pool?.close();
    await folder?.cleanup();
  });

  test("checks each result as it arrives: a later module can wait on an earlier one's check", async () => {
    folder = await makeDagFolder({ "a.ts": simpleDag("first"), "c.ts": simpleDag("third") });
    const flag = path.join(folder.root, "a-was-checked");
    await folder.write("b.ts", waitsFor(flag));
    const checked: string[] = [];
    const check: ResultCheck = (result) => {
      checked.push(result.file);
      // Deferred to the end of the load, this check would come after b.ts timed out.
      if (result.file === "a.ts") writeFileSync(flag, "");
      return marked(result);
    };
    pool = new LoaderPool({ concurrency: 1, timeoutMs: 5_000 }, { checkResult: check });
    const files = ["a.ts", "b.ts", "c.ts"].map((file) => path.join(folder?.root ?? "", file));
    const results = await pool.load(folder.root, files);
    expect(checked).toEqual(["a.ts", "b.ts", "c.ts"]);
    expect(
      results.map((result) => [result.file, result.dags.map((loaded) => loaded.dag.id), result.errors]),
    ).toEqual(
      ["a.ts", "b.ts", "c.ts"].map((file, i) => [
        file,
        [["first", "waited", "third"][i]],
        [{ file, line: null, column: null, kind: "validation", message: "checked" }],
      ]),
    );
  });

  test("a check that throws fails the load once every module answered; the pool loads again", async () => {
    folder = await makeDagFolder({ "a.ts": simpleDag("first"), "b.ts": simpleDag("second") });
    let calls = 0;
    let broken = true;
    const check: ResultCheck = (result) => {
      calls += 1;
      if (broken && result.file === "a.ts") throw new Error("the check broke");
      return result;
    };
    pool = new LoaderPool({ concurrency: 1 }, { checkResult: check });
    const files = ["a.ts", "b.ts"].map((file) => path.join(folder?.root ?? "", file));
    await expect(pool.load(folder.root, files)).rejects.toThrow("the check broke");
    expect(calls).toBe(2);
    broken = false;
    const again = await pool.load(folder.root, files);
    expect(again.map((result) => result.dags.map((loaded) => loaded.dag.id))).toEqual([
      ["first"],
      ["second"],
    ]);
  });
});
