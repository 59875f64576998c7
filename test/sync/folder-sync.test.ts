import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule, syntaxErrorModule } from "../support/dag-sources.ts";
import type { TestDaemon } from "../support/test-daemon.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

// Local-folder mode (`--dags`): edits on disk, picked up by the watcher; the tests build on each other.
describe("--dags: a watched local folder", () => {
  const cleanup = useCleanup("file");
  let dir: string;
  let daemon: TestDaemon;

  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  };
  const command = async (id: string) => (await daemon.dag(id)).definition.tasks[0]?.command;
  const waitForDag = (
    what: string,
    id: string,
    accept: (dag: Awaited<ReturnType<TestDaemon["dag"]>>) => boolean,
  ) =>
    waitFor(what, async () => {
      const response = await daemon.request(`/api/dags/${id}`);
      return response.status === 200 && accept(response.body) ? response.body : undefined;
    });

  beforeAll(async () => {
    dir = await cleanup.tempDir("folder");
    await write("lib/image.ts", 'export const IMAGE = "busybox:1.36";\n');
    await write(
      "alpha.ts",
      dagModule("alpha", { image: "IMAGE", head: ['import { IMAGE } from "./lib/image.ts";'] }),
    );
    await write("beta.ts", dagModule("beta"));
    daemon = await startTestDaemon(cleanup, ["--dags", dir]);
  });

  it("loads the folder at start", async () => {
    expect((await daemon.request("/readyz")).status).toBe(200);
    const dags = await daemon.dags();
    expect(dags.map((d) => [d.id, d.file, d.commit, d.stale])).toEqual([
      ["alpha", "alpha.ts", null, false],
      ["beta", "beta.ts", null, false],
    ]);
    const { sync } = await daemon.status();
    expect(sync).toMatchObject({ mode: "folder", repo: dir, lastError: null, lastAppliedCommit: null });
    expect((await daemon.syncs())[0]?.changes).toEqual({
      added: ["alpha", "beta"],
      updated: [],
      removed: [],
    });
  });

  it("reloads an edited file", async () => {
    await write("beta.ts", dagModule("beta", { echo: "edited" }));
    await waitForDag(
      "beta to be reloaded",
      "beta",
      (dag) => dag.definition.tasks[0]?.command[1] === "edited",
    );
    const records = await daemon.syncs();
    expect(records.some((r) => r.changes.updated.includes("beta"))).toBe(true);
    expect(records.every((r) => !r.changes.updated.includes("alpha"))).toBe(true);
  });

  it("reloads the DAGs importing an edited helper", async () => {
    await write("lib/image.ts", 'export const IMAGE = "busybox:1.37";\n');
    await waitForDag(
      "alpha to be reloaded",
      "alpha",
      (dag) => dag.definition.tasks[0]?.image === "busybox:1.37",
    );
    expect(await command("beta")).toEqual(["echo", "edited"]);
  });

  it("adds a new file's DAG and removes a deleted file's", async () => {
    await write("gamma.ts", dagModule("gamma"));
    await waitForDag("gamma to appear", "gamma", () => true);
    await rm(path.join(dir, "gamma.ts"));
    await waitFor("gamma to be removed", async () =>
      (await daemon.request("/api/dags/gamma")).status === 404 ? true : undefined,
    );
    expect((await daemon.syncs()).some((r) => r.changes.removed.includes("gamma"))).toBe(true);
  });

  it("shows a broken file's error with file and line, keeping its last good DAG", async () => {
    const broken = syntaxErrorModule("beta");
    await write("beta.ts", broken.text);
    const errors = await waitFor("the import error", async () => {
      const list = await daemon.importErrors();
      return list.length > 0 ? list : undefined;
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: "beta.ts", line: broken.line, commit: null });
    expect(errors[0]?.message).toMatch(/SyntaxError/);
    const beta = await daemon.dag("beta");
    expect(beta).toMatchObject({ stale: true, importError: { file: "beta.ts", line: broken.line } });
    expect(beta.definition.tasks[0]?.command).toEqual(["echo", "edited"]);
    const status = await daemon.status();
    // As in git mode, the status names the first error's place.
    expect(status.sync.lastError).toContain(`beta.ts:${broken.line}`);
    expect(status.dags.importErrors).toBe(1);
  });

  it("clears the error once the file is fixed", async () => {
    await write("beta.ts", dagModule("beta", { echo: "fixed" }));
    await waitForDag(
      "beta to be fixed",
      "beta",
      (dag) => !dag.stale && dag.definition.tasks[0]?.command[1] === "fixed",
    );
    expect(await daemon.importErrors()).toEqual([]);
    expect((await daemon.dag("beta")).importError).toBeNull();
    const status = await daemon.status();
    expect(status.sync.lastError).toBeNull();
    expect(status.dags.importErrors).toBe(0);
  });
});
