import { readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule, throwingModule } from "../support/dag-sources.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

// One daemon follows one branch through a history of pushes; each test is the next push and what
// it must change. They run in order and build on each other's commits. The DAGs are manual-only,
// so no scheduled run holds on to an old snapshot.
describe("git sync follows a branch through its history", () => {
  const cleanup = useCleanup("file");
  let remote: GitRemote;
  let daemon: TestDaemon;
  const commits: Record<string, string> = {};

  beforeAll(async () => {
    remote = await createGitRemote(await cleanup.tempDir("history"), {
      "lib/common.ts": 'export const IMAGE = "busybox:1.36";\n',
      "alpha.ts": dagModule("alpha", { image: "IMAGE", head: ['import { IMAGE } from "./lib/common.ts";'] }),
      "beta.ts": dagModule("beta", { echo: "beta v1" }),
    });
    commits.initial = await remote.head();
    daemon = await startTestDaemon(cleanup, ["--repo", remote.bare, "--branch", "main"], { start: false });
  });

  it("is not ready before the first load, then loads the branch head", async () => {
    expect((await daemon.daemon.app.request("/readyz")).status).toBe(503);
    await daemon.daemon.start();
    expect((await daemon.request("/readyz")).status).toBe(200);
    expect((await daemon.request("/healthz")).status).toBe(200);
    const dags = await daemon.dags();
    expect(dags.map((d) => [d.id, d.file, d.commit, d.stale])).toEqual([
      ["alpha", "alpha.ts", commits.initial, false],
      ["beta", "beta.ts", commits.initial, false],
    ]);
    const [first, ...others] = await daemon.syncs();
    expect(others).toEqual([]);
    expect(first).toMatchObject({
      sha: commits.initial,
      previousSha: null,
      ok: true,
      error: null,
      changes: { added: ["alpha", "beta"], updated: [], removed: [] },
    });
    const { sync } = await daemon.status();
    expect(sync).toMatchObject({ mode: "git", repo: remote.bare, branch: "main", lastError: null });
    expect(sync.lastAppliedCommit).toMatchObject({ sha: commits.initial, message: "initial DAGs" });
    expect(sync.lastAttemptedCommit?.sha).toBe(commits.initial);
  });

  it("picks up a new DAG by polling alone", async () => {
    commits.gamma = await remote.change("add gamma", { "gamma.ts": dagModule("gamma") });
    const record = await daemon.waitForSync(commits.gamma);
    expect(record).toMatchObject({
      previousSha: commits.initial,
      ok: true,
      changes: { added: ["gamma"], updated: [], removed: [] },
    });
    const gamma = await daemon.dag("gamma");
    expect(gamma).toMatchObject({ file: "gamma.ts", commit: commits.gamma, stale: false });
  });

  it("updates an edited DAG", async () => {
    commits.betaV2 = await remote.change("beta v2", { "beta.ts": dagModule("beta", { echo: "beta v2" }) });
    await daemon.requestSync();
    const record = await daemon.waitForSync(commits.betaV2);
    expect(record.changes).toEqual({ added: [], updated: ["beta"], removed: [] });
    const beta = await daemon.dag("beta");
    expect(beta.definition.tasks[0]?.command).toEqual(["echo", "beta v2"]);
    expect(beta.commit).toBe(commits.betaV2);
  });

  it("reloads the DAGs that import an edited helper, and only those", async () => {
    commits.helper = await remote.change("new image", {
      "lib/common.ts": 'export const IMAGE = "busybox:1.37";\n',
    });
    await daemon.requestSync();
    const record = await daemon.waitForSync(commits.helper);
    expect(record.changes).toEqual({ added: [], updated: ["alpha"], removed: [] });
    expect((await daemon.dag("alpha")).definition.tasks[0]?.image).toBe("busybox:1.37");
    expect((await daemon.dag("beta")).definition.tasks[0]?.image).toBe("busybox:1.36");
  });

  it("deactivates the DAG of a deleted file", async () => {
    commits.noGamma = await remote.change("remove gamma", { "gamma.ts": null });
    await daemon.requestSync();
    const record = await daemon.waitForSync(commits.noGamma);
    expect(record.changes).toEqual({ added: [], updated: [], removed: ["gamma"] });
    expect((await daemon.dags()).map((d) => d.id)).toEqual(["alpha", "beta"]);
    const gone = await daemon.request("/api/dags/gamma");
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("not_found");
  });

  it("keeps the last good definition of a DAG whose file breaks, marked stale with the error", async () => {
    const lastGood = await daemon.dag("beta");
    const broken = throwingModule("beta", "beta cannot load");
    commits.broken = await remote.change("break beta", { "beta.ts": broken.text });
    await daemon.requestSync();
    const record = await daemon.waitForSync(commits.broken);
    expect(record.ok).toBe(false);
    expect(record.error).toContain(`beta.ts:${broken.line}`);
    expect(record.changes).toEqual({ added: [], updated: [], removed: [] });

    const beta = await daemon.dag("beta");
    expect(beta.stale).toBe(true);
    expect(beta.importError).toMatchObject({ file: "beta.ts", line: broken.line });
    expect(beta.importError?.message).toContain("beta cannot load");
    expect(beta.definition).toEqual(lastGood.definition);
    expect(beta.commit).toBe(commits.noGamma);
    expect(await daemon.dag("alpha")).toMatchObject({ stale: false, importError: null });

    const errors = await daemon.importErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: "beta.ts", line: broken.line, commit: commits.broken });
    expect(errors[0]?.message).toContain("beta cannot load");

    const status = await daemon.status();
    expect(status.sync.lastAttemptedCommit?.sha).toBe(commits.broken);
    expect(status.sync.lastAppliedCommit?.sha).toBe(commits.noGamma);
    expect(status.sync.lastError).toContain(`beta.ts:${broken.line}`);
    expect(status.dags).toMatchObject({ total: 2, importErrors: 1 });
  });

  it("clears the error when a commit fixes the file", async () => {
    commits.fixed = await remote.change("fix beta", { "beta.ts": dagModule("beta", { echo: "beta v3" }) });
    await daemon.requestSync();
    const record = await daemon.waitForSync(commits.fixed);
    expect(record).toMatchObject({ ok: true, error: null, previousSha: commits.broken });
    expect(record.changes).toEqual({ added: [], updated: ["beta"], removed: [] });
    expect(await daemon.dag("beta")).toMatchObject({
      stale: false,
      importError: null,
      commit: commits.fixed,
    });
    expect((await daemon.dag("beta")).definition.tasks[0]?.command).toEqual(["echo", "beta v3"]);
    expect(await daemon.importErrors()).toEqual([]);
    const { sync, dags } = await daemon.status();
    expect(sync.lastError).toBeNull();
    expect(sync.lastAppliedCommit?.sha).toBe(commits.fixed);
    expect(sync.lastAttemptedCommit?.sha).toBe(commits.fixed);
    expect(dags.importErrors).toBe(0);
  });

  it("restores the exact previous definition after git revert and push", async () => {
    const before = await daemon.dag("beta");
    commits.v4 = await remote.change("beta v4", {
      "beta.ts": dagModule("beta", { echo: "beta v4", image: JSON.stringify("alpine:3.20") }),
    });
    await daemon.requestSync();
    await daemon.waitForSync(commits.v4);
    expect((await daemon.dag("beta")).definition).not.toEqual(before.definition);

    await remote.git("revert", "--no-edit", "HEAD");
    await remote.push();
    commits.reverted = await remote.head();
    await daemon.requestSync();
    const record = await daemon.waitForSync(commits.reverted);
    expect(record).toMatchObject({ ok: true, previousSha: commits.v4 });
    expect(record.changes).toEqual({ added: [], updated: ["beta"], removed: [] });
    const after = await daemon.dag("beta");
    expect(after.definition).toEqual(before.definition);
    expect(after.tasks).toEqual(before.tasks);
    expect(after.commit).toBe(commits.reverted);
  });

  it("follows a force-push that rewrites history", async () => {
    commits.delta = await remote.change("add delta", { "delta.ts": dagModule("delta") });
    await daemon.requestSync();
    await daemon.waitForSync(commits.delta);
    expect((await daemon.dags()).map((d) => d.id)).toContain("delta");

    await remote.git("reset", "--hard", "HEAD~1");
    await remote.push("main", "--force");
    expect(await remote.head()).toBe(commits.reverted);
    await daemon.requestSync();
    const record = await daemon.waitForStatus(
      "the rewritten head to be applied",
      (s) => s.sync.lastAppliedCommit?.sha === commits.reverted,
    );
    expect(record.sync.lastError).toBeNull();
    const last = (await daemon.syncs()).at(-1);
    expect(last).toMatchObject({
      sha: commits.reverted,
      previousSha: commits.delta,
      ok: true,
      changes: { added: [], updated: [], removed: ["delta"] },
    });
    expect((await daemon.dags()).map((d) => [d.id, d.commit])).toEqual([
      ["alpha", commits.reverted],
      ["beta", commits.reverted],
    ]);
  });

  it("keeps the applied commit's snapshot and at most one unused spare for the next sync to re-point", async () => {
    await daemon.waitForIdle();
    const snapshots = await readdir(path.join(daemon.stateDir, "snapshots"));
    expect(snapshots).toContain(commits.reverted);
    expect(snapshots.length).toBeLessThanOrEqual(2);
  });
});
