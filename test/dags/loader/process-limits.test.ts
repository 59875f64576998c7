/**
 * Issue 11 points 6 and 12: the loader's memory limit counts all of a loader process's memory
 * (RSS), not only the JS heap, and a loader that is killed takes its module's child processes with
 * it (its whole process group).
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadDagSet } from "../../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../../src/dags/loader/loader-pool.ts";
import { killAllWith, pidsWith, uniqueSleepSeconds } from "../../support/process-table.ts";
import { waitFor } from "../../support/wait-for.ts";
import { type DagFolder, makeDagFolder, simpleDag } from "../support/dag-folder.ts";

describe("loader process limits", () => {
  let folder: DagFolder;
  let pool: LoaderPool | undefined;
  const markers: string[] = [];

  beforeEach(async () => {
    folder = await makeDagFolder();
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    for (const marker of markers.splice(0)) await killAllWith(marker);
    await folder.cleanup();
  });

  test("a module that allocates Buffers past the limit is killed and reported as a memory error; the others load", async () => {
    // Bounded, so that a loader without an RSS limit does not take the machine down: it reaches
    // 1.2 GB and then waits (and on unfixed code is reported as a timeout, not a memory error).
    await folder.write(
      "a-buffers.ts",
      `import { dag, pod } from "updraft";
const kept: Buffer[] = [];
for (let i = 0; i < 150; i++) kept.push(Buffer.alloc(8 * 1024 * 1024, 1));
await new Promise(() => {});
export default dag({ id: "buffers", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write("b-good.ts", simpleDag("after_buffers"));
    await folder.write("c-good.ts", simpleDag("also_after_buffers"));
    pool = new LoaderPool({ memoryMb: 128, timeoutMs: 20_000, concurrency: 1 });
    const { set } = await loadDagSet(pool, folder.root);
    expect(set.errors).toEqual([
      {
        file: "a-buffers.ts",
        line: null,
        column: null,
        kind: "memory",
        message: "module exceeded the loader memory limit of 128 MB while loading",
      },
    ]);
    expect(set.dags.map((loaded) => loaded.dag.id).sort()).toEqual(["after_buffers", "also_after_buffers"]);
  });

  test("a module that starts a child process and then hangs: after the timeout, no such child is left", async () => {
    const marker = uniqueSleepSeconds();
    markers.push(marker);
    await folder.write(
      "a-spawns.ts",
      `import { spawn } from "node:child_process";
import { dag, pod } from "updraft";
spawn("sleep", [${JSON.stringify(marker)}], { stdio: "ignore" });
await new Promise(() => {});
export default dag({ id: "spawns", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write("b-good.ts", simpleDag("after_spawns"));
    pool = new LoaderPool({ timeoutMs: 2_000, concurrency: 1 });
    const { set } = await loadDagSet(pool, folder.root);
    expect(set.errors.map((error) => [error.file, error.kind])).toEqual([["a-spawns.ts", "timeout"]]);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["after_spawns"]);
    await waitFor(
      `no "sleep ${marker}" left`,
      async () => ((await pidsWith(marker)).length === 0 ? true : undefined),
      {
        timeoutMs: 3_000,
        details: () => pidsWith(marker),
      },
    );
  });
});
