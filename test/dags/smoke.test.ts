import { expect, test } from "vitest";
import { LoaderPool } from "../../src/dags/loader/loader-pool.ts";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";

test("loads the bundled dags", async () => {
  const pool = new LoaderPool();
  const { set } = await loadDagSet(pool, "dags");
  await pool.close();
  expect(set.dags.map((d) => d.dag.id)).toEqual(["etl_orders", "node_jobs"]);
});
