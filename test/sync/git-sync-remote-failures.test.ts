import { rename } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

const cleanup = useCleanup();

/** The DAGs still served, as [id, commit, stale]. */
async function served(daemon: TestDaemon) {
  return (await daemon.dags()).map((d) => [d.id, d.commit, d.stale]);
}

describe("a remote that fails", () => {
  it("shows the error while the remote is unreachable, keeps serving the last good DAGs, and recovers", async () => {
    const remote = await createGitRemote(await cleanup.tempDir("unreachable"), {
      "alpha.ts": dagModule("alpha"),
    });
    const good = await remote.head();
    const daemon = await startTestDaemon(cleanup, ["--repo", remote.bare, "--branch", "main"]);
    await daemon.waitForSync(good);

    const away = `${remote.bare}.away`;
    await rename(remote.bare, away);
    const failing = await daemon.waitForStatus("the sync error", (s) => s.sync.lastError !== null);
    expect(failing.sync.lastError).toContain("remote.git");
    expect(failing.sync.lastAppliedCommit?.sha).toBe(good);
    const failed = (await daemon.syncs()).at(-1);
    expect(failed).toMatchObject({ ok: false, sha: null, previousSha: good });
    expect(failed?.error).toBe(failing.sync.lastError);
    expect(await served(daemon)).toEqual([["alpha", good, false]]);
    expect((await daemon.request("/healthz")).status).toBe(200);
    expect((await daemon.request("/readyz")).status).toBe(200);

    await rename(away, remote.bare);
    const recovered = await daemon.waitForStatus("the error to clear", (s) => s.sync.lastError === null);
    expect(recovered.sync.lastAppliedCommit?.sha).toBe(good);

    const next = await remote.change("add beta", { "beta.ts": dagModule("beta") });
    const record = await daemon.waitForSync(next);
    expect(record).toMatchObject({ ok: true, previousSha: good, changes: { added: ["beta"] } });
  });

  it("follows a branch that is deleted and then created again", async () => {
    const remote = await createGitRemote(await cleanup.tempDir("branch"), { "alpha.ts": dagModule("alpha") });
    await remote.push("release");
    const first = await remote.head("release");
    const daemon = await startTestDaemon(cleanup, ["--repo", remote.bare, "--branch", "release"]);
    await daemon.waitForSync(first);

    await remote.git("push", "--quiet", "origin", "--delete", "release");
    const missing = await daemon.waitForStatus("the missing-branch error", (s) => s.sync.lastError !== null);
    expect(missing.sync.lastError).toContain('branch "release" does not exist on the remote');
    expect(missing.sync.lastAppliedCommit?.sha).toBe(first);
    expect(await served(daemon)).toEqual([["alpha", first, false]]);

    await remote.write({ "alpha.ts": dagModule("alpha", { echo: "recreated" }) });
    const recreated = await remote.commit("recreate release");
    await remote.push("release");
    const record = await daemon.waitForSync(recreated);
    expect(record).toMatchObject({ ok: true, changes: { added: [], updated: ["alpha"], removed: [] } });
    const status = await daemon.status();
    expect(status.sync.lastError).toBeNull();
    expect(status.sync.lastAppliedCommit?.sha).toBe(recreated);
    expect((await daemon.dag("alpha")).definition.tasks[0]?.command).toEqual(["echo", "recreated"]);
  });

  it("starts, unready and without exiting, when the branch does not exist yet", async () => {
    const remote = await createGitRemote(await cleanup.tempDir("nobranch"), {
      "alpha.ts": dagModule("alpha"),
    });
    const daemon = await startTestDaemon(cleanup, ["--repo", remote.bare, "--branch", "later"]);
    const status = await daemon.status();
    expect(status.sync.lastError).toContain('branch "later" does not exist on the remote');
    expect(status.sync.lastAppliedCommit).toBeNull();
    expect((await daemon.request("/readyz")).status).toBe(503);
    expect((await daemon.request("/healthz")).status).toBe(200);

    await remote.push("later");
    await daemon.waitForSync(await remote.head("later"));
    expect((await daemon.request("/readyz")).status).toBe(200);
    expect(await served(daemon)).toEqual([["alpha", await remote.head("later"), false]]);
  });
});

describe("the followed branch", () => {
  it("is the remote's default branch when --branch is not given", async () => {
    const remote = await createGitRemote(await cleanup.tempDir("default"), {
      "alpha.ts": dagModule("alpha"),
    });
    await remote.change("on another branch", { "beta.ts": dagModule("beta") }, "feature");
    const daemon = await startTestDaemon(cleanup, ["--repo", remote.bare]);
    const status = await daemon.status();
    expect(status.sync.branch).toBe("main");
    expect(status.sync.lastAppliedCommit?.sha).toBe(await remote.head("main"));
    expect((await daemon.dags()).map((d) => d.id)).toEqual(["alpha"]);
  });
});
