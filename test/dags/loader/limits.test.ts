/**
 * Modules that hang, allocate without bound or kill their loader process cost only their own
 * result: the pool reports them and goes on loading the others in fresh processes.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadDagSet } from "../../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../../src/dags/loader/loader-pool.ts";
import { type DagFolder, makeDagFolder, simpleDag } from "../support/dag-folder.ts";

const TIMEOUT =
  "module did not finish loading within 1500ms (is there an endless loop or a promise that never settles at top level?)";

describe("loader limits", () => {
  let folder: DagFolder;
  let pool: LoaderPool | undefined;

  beforeEach(async () => {
    folder = await makeDagFolder();
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await folder.cleanup();
  });

  test("a module that never finishes is stopped after the timeout; the next module still loads", async () => {
    await folder.write(
      "a-loop.ts",
      `import { dag, pod } from "updraft";
while (true) {}
export default dag({ id: "loop", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write(
      "b-never.ts",
      `import { dag, pod } from "updraft";
await new Promise(() => {});
export default dag({ id: "never", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write("c-good.ts", simpleDag("after_timeouts"));
    // One loader at a time: c-good.ts must be loaded by the process that replaces a killed one.
    pool = new LoaderPool({ timeoutMs: 1500, concurrency: 1 });
    const { set } = await loadDagSet(pool, folder.root);
    expect(set.errors).toEqual([
      { file: "a-loop.ts", line: null, column: null, kind: "timeout", message: TIMEOUT },
      { file: "b-never.ts", line: null, column: null, kind: "timeout", message: TIMEOUT },
    ]);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["after_timeouts"]);
  });

  test("a module that allocates without bound hits the memory limit; the next module still loads", async () => {
    await folder.write(
      "a-hog.ts",
      `import { dag, pod } from "updraft";
const hog: number[][] = [];
while (true) hog.push(new Array(1_000_000).fill(1));
export default dag({ id: "hog", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write("b-good.ts", simpleDag("after_hog"));
    pool = new LoaderPool({ memoryMb: 64, concurrency: 1 });
    const { set } = await loadDagSet(pool, folder.root);
    expect(set.errors).toEqual([
      {
        file: "a-hog.ts",
        line: null,
        column: null,
        kind: "memory",
        message: "module exceeded the loader memory limit of 64 MB while loading",
      },
    ]);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["after_hog"]);
  });

  test("a warm spare that dies while starting is not an unhandled rejection; the load that takes it says why", async () => {
    await folder.write("a.ts", simpleDag("never_loaded"));
    // 1 MB is too little for node to start: the spare dies during start-up, before any load takes it.
    pool = new LoaderPool({ memoryMb: 1, concurrency: 1 }, { prewarm: true });
    pool.warm();
    // Give it time to die unobserved (vitest fails the run on an unhandled rejection).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await expect(loadDagSet(pool, folder.root)).rejects.toThrow(/DAG loader process exited during start-up/);
  });

  test("a module that kills its loader process is reported as a crash; the next module still loads", async () => {
    await folder.write(
      "a-kill.ts",
      `import { dag, pod } from "updraft";
process.kill(process.pid, "SIGKILL");
export default dag({ id: "kill", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write("b-good.ts", simpleDag("after_kill"));
    pool = new LoaderPool({ concurrency: 1 });
    const { set } = await loadDagSet(pool, folder.root);
    expect(set.errors).toEqual([
      {
        file: "a-kill.ts",
        line: null,
        column: null,
        kind: "crash",
        message: "loader process died while loading the module (signal SIGKILL)",
      },
    ]);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(["after_kill"]);
  });

  test("an error a module throws later, from a timer or a rejected promise, does not fail other modules", async () => {
    await folder.write(
      "a-late.ts",
      `import { dag, pod } from "updraft";
setTimeout(() => {
  throw new Error("thrown by a timer after loading");
}, 100);
Promise.reject(new Error("nobody handles this"));
export default dag({ id: "late", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    // Still loading in the same process when a-late.ts's timer fires (whenever it fires, the
    // modules after a-late.ts must load).
    await folder.write(
      "b-slow.ts",
      `import { dag, pod } from "updraft";
await new Promise((resolve) => setTimeout(resolve, 400));
export default dag({ id: "slow", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
    );
    await folder.write("c-good.ts", simpleDag("good"));
    pool = new LoaderPool({ concurrency: 1 });
    const { set } = await loadDagSet(pool, folder.root);
    expect(set.errors.filter((error) => error.file !== "a-late.ts")).toEqual([]);
    expect(set.dags.map((loaded) => loaded.dag.id)).toEqual(expect.arrayContaining(["good", "slow"]));
  });
});
