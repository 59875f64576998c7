import { access, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GitMirror } from "../../src/sync/git-mirror.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { createGitRemote } from "../support/git-remote.ts";

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe("GitMirror snapshots", () => {
  const cleanup = useCleanup();

  it("re-points an unused snapshot at a new commit: the new commit's files, nothing left over, the old path gone", async () => {
    const dir = await cleanup.tempDir("mirror-snapshots");
    const remote = await createGitRemote(dir, {
      "dags/a.ts": "export const a = 1;\n",
      "dags/b.ts": "old b\n",
    });
    const first = await remote.head();
    const second = await remote.change("edit b, drop a, add c", {
      "dags/a.ts": null,
      "dags/b.ts": "new b\n",
      "dags/c.ts": "c\n",
    });
    const mirror = new GitMirror({ url: remote.bare, dir: path.join(dir, "state", "git") });
    expect(await mirror.fetch("main")).toBe(second);
    const oldSnapshot = path.join(dir, "state", "snapshots", first);
    const newSnapshot = path.join(dir, "state", "snapshots", second);
    await mirror.addSnapshot(first, oldSnapshot);
    expect(await readFile(path.join(oldSnapshot, "dags/b.ts"), "utf8")).toBe("old b\n");
    // Something a task or tool left behind must not reach the next commit's snapshot.
    await writeFile(path.join(oldSnapshot, "dags/stray.ts"), "left over\n");

    await mirror.recycleSnapshot(oldSnapshot, second, newSnapshot);

    expect(await exists(oldSnapshot)).toBe(false);
    expect(await readFile(path.join(newSnapshot, "dags/b.ts"), "utf8")).toBe("new b\n");
    expect(await readFile(path.join(newSnapshot, "dags/c.ts"), "utf8")).toBe("c\n");
    expect(await exists(path.join(newSnapshot, "dags/a.ts"))).toBe(false);
    expect(await exists(path.join(newSnapshot, "dags/stray.ts"))).toBe(false);
  });

  it("falls back to a fresh checkout when the snapshot to re-point is not a usable worktree", async () => {
    const dir = await cleanup.tempDir("mirror-snapshots");
    const remote = await createGitRemote(dir, { "dags/a.ts": "a\n" });
    const sha = await remote.head();
    const mirror = new GitMirror({ url: remote.bare, dir: path.join(dir, "state", "git") });
    await mirror.fetch("main");
    const target = path.join(dir, "state", "snapshots", sha);
    await mirror.recycleSnapshot(path.join(dir, "state", "snapshots", "not-a-worktree"), sha, target);
    expect(await readFile(path.join(target, "dags/a.ts"), "utf8")).toBe("a\n");
  });
});
