import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule, throwingModule } from "../support/dag-sources.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

describe("--dags-dir", () => {
  const cleanup = useCleanup("file");
  let remote: GitRemote;
  let daemon: TestDaemon;

  beforeAll(async () => {
    remote = await createGitRemote(await cleanup.tempDir("dags-dir"), {
      "pipelines/lib/image.ts": 'export const IMAGE = "busybox:1.36";\n',
      "pipelines/alpha.ts": dagModule("alpha", {
        image: "IMAGE",
        head: ['import { IMAGE } from "./lib/image.ts";'],
      }),
      "pipelines/beta.ts": dagModule("beta", {
        image: "BASE",
        head: ['import { BASE } from "../shared/base.ts";'],
      }),
      "shared/base.ts": 'export const BASE = "alpine:3.20";\n',
      "other/zeta.ts": dagModule("zeta"),
      "other/broken.ts": throwingModule("omega", "outside the DAGs folder").text,
      "README.md": "# DAGs\n",
    });
    daemon = await startTestDaemon(cleanup, [
      "--repo",
      remote.bare,
      "--branch",
      "main",
      "--dags-dir",
      "pipelines",
    ]);
  });

  it("discovers DAG modules only inside the folder, and shows their paths from the repository root", async () => {
    const dags = await daemon.dags();
    expect(dags.map((d) => [d.id, d.file])).toEqual([
      ["alpha", "pipelines/alpha.ts"],
      ["beta", "pipelines/beta.ts"],
    ]);
    expect(await daemon.importErrors()).toEqual([]);
    const { sync } = await daemon.status();
    expect(sync.dagsDir).toBe("pipelines");
    expect(sync.lastError).toBeNull();
  });

  it("names import errors by their path from the repository root", async () => {
    const broken = throwingModule("alpha", "alpha is broken");
    const sha = await remote.change("break alpha", { "pipelines/alpha.ts": broken.text });
    await daemon.requestSync();
    await daemon.waitForSync(sha);
    const errors = await daemon.importErrors();
    expect(errors.map((e) => [e.file, e.line, e.commit])).toEqual([["pipelines/alpha.ts", broken.line, sha]]);
    expect(await daemon.dag("alpha")).toMatchObject({ stale: true, file: "pipelines/alpha.ts" });
    expect((await daemon.status()).sync.lastError).toContain(`pipelines/alpha.ts:${broken.line}`);

    const fixed = await remote.change("fix alpha", {
      "pipelines/alpha.ts": dagModule("alpha", {
        echo: "fixed",
        image: "IMAGE",
        head: ['import { IMAGE } from "./lib/image.ts";'],
      }),
    });
    await daemon.requestSync();
    expect((await daemon.waitForSync(fixed)).changes.updated).toEqual(["alpha"]);
    expect(await daemon.importErrors()).toEqual([]);
  });

  it("changes nothing for a commit that only touches files outside the folder that no DAG imports", async () => {
    const sha = await remote.change("outside only", {
      "other/zeta.ts": dagModule("zeta", { echo: "changed" }),
      "README.md": "# DAGs, edited\n",
    });
    await daemon.requestSync();
    const record = await daemon.waitForSync(sha);
    expect(record).toMatchObject({ ok: true, changes: { added: [], updated: [], removed: [] } });
    expect((await daemon.dags()).map((d) => d.id)).toEqual(["alpha", "beta"]);
  });

  it("reloads a DAG in the folder when a helper inside it changes", async () => {
    const sha = await remote.change("new image", {
      "pipelines/lib/image.ts": 'export const IMAGE = "busybox:1.37";\n',
    });
    await daemon.requestSync();
    expect((await daemon.waitForSync(sha)).changes.updated).toEqual(["alpha"]);
    expect((await daemon.dag("alpha")).definition.tasks[0]?.image).toBe("busybox:1.37");
  });

  it("reloads a DAG in the folder when a helper it imports from outside the folder changes", async () => {
    const sha = await remote.change("new base", { "shared/base.ts": 'export const BASE = "alpine:3.21";\n' });
    await daemon.requestSync();
    expect((await daemon.waitForSync(sha)).changes.updated).toEqual(["beta"]);
    expect((await daemon.dag("beta")).definition.tasks[0]?.image).toBe("alpine:3.21");
  });
});
