import { afterAll, beforeAll } from "vitest";
import type { DagSet } from "../../../src/dags/dag-set.ts";
import { loadDagSet } from "../../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../../src/dags/loader/loader-pool.ts";
import { lateBound } from "../../support/late-bound.ts";
import { type DagFolder, makeDagFolder } from "./dag-folder.ts";

/**
 * Per file: `files` (relative path -> module text) written to a fresh DAGs folder and loaded once,
 * as the daemon loads it; the loader pool and the folder are closed after the file's tests. Returns
 * the loaded set, usable once the tests run. `limits`: the LoaderPool's (concurrency, say).
 */
export function useLoadedDagSet(
  files: Readonly<Record<string, string>>,
  limits: ConstructorParameters<typeof LoaderPool>[0] = {},
): DagSet {
  let folder: DagFolder | undefined;
  let pool: LoaderPool | undefined;
  let set: DagSet | undefined;
  beforeAll(async () => {
    folder = await makeDagFolder(files);
    pool = new LoaderPool(limits);
    ({ set } = await loadDagSet(pool, folder.root));
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    await folder?.cleanup();
  });
  return lateBound("the loaded DAG set", () => set);
}
