/**
 * The snapshots a git sync checks commits out into (src/sync/snapshots.ts): after each sync one
 * spare worktree is readied at the applied commit, and the next commit's snapshot is that spare
 * with only the changed files written; snapshots in use are never touched.
 */
import { access, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GitMirror } from "../../src/sync/git-mirror.ts";
import { SPARE_SNAPSHOT, Snapshots } from "../../src/sync/snapshots.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function setUp(dir: string) {
  const remote = await createGitRemote(dir, { "dags/a.ts": "a v1\n", "dags/b.ts": "b v1\n" });
  const mirror = new GitMirror({ url: remote.bare, dir: path.join(dir, "state", "git") });
  const snapshotsDir = path.join(dir, "state", "snapshots");
  return { remote, mirror, snapshotsDir, snapshots: new Snapshots(mirror, snapshotsDir) };
}

describe("Snapshots", () => {
  const cleanup = useCleanup();

  it("makes the next commit's snapshot from the readied spare, keeping a snapshot in use intact", async () => {
    const dir = await cleanup.tempDir("snapshots");
    const { remote, mirror, snapshotsDir, snapshots } = await setUp(dir);
    const first = await mirror.fetch("main");
    const firstDir = await snapshots.checkout(first);
    await snapshots.tidy(first, new Set([first]));
    const spare = path.join(snapshotsDir, SPARE_SNAPSHOT);
    expect(await readFile(path.join(spare, "dags/a.ts"), "utf8")).toBe("a v1\n");

    const second = await remote.change("a v2", { "dags/a.ts": "a v2\n" });
    await mirror.fetch("main");
    const secondDir = await snapshots.checkout(second);
    // The spare became the snapshot: no second checkout of the whole tree.
    expect(await exists(spare)).toBe(false);
    expect(await readFile(path.join(secondDir, "dags/a.ts"), "utf8")).toBe("a v2\n");
    expect(await readFile(path.join(secondDir, "dags/b.ts"), "utf8")).toBe("b v1\n");

    // A run of the first commit still uses its snapshot (and wrote into it): the tidy-up keeps it.
    await writeFile(path.join(firstDir, "dags/output.txt"), "a task's output\n");
    await snapshots.tidy(second, new Set([first, second]));
    expect(await readFile(path.join(firstDir, "dags/a.ts"), "utf8")).toBe("a v1\n");
    expect(await readFile(path.join(firstDir, "dags/output.txt"), "utf8")).toBe("a task's output\n");
    expect(await readFile(path.join(spare, "dags/a.ts"), "utf8")).toBe("a v2\n");

    // Once the run is over, the first snapshot is the one that becomes the next spare.
    await snapshots.tidy(second, new Set([second]));
    expect((await readdir(snapshotsDir)).sort()).toEqual([second, SPARE_SNAPSHOT].sort());
  });

  it("follows a revert and a force push back to an older commit exactly, with nothing left over", async () => {
    const dir = await cleanup.tempDir("snapshots");
    const { remote, mirror, snapshots } = await setUp(dir);
    const first = await mirror.fetch("main");
    await snapshots.checkout(first);
    await snapshots.tidy(first, new Set([first]));
    const second = await remote.change("a v2, c added, b removed", {
      "dags/a.ts": "a v2\n",
      "dags/b.ts": null,
      "dags/c.ts": "c\n",
    });
    await mirror.fetch("main");
    const secondDir = await snapshots.checkout(second);
    await writeFile(path.join(secondDir, "dags/stray.ts"), "left by a task\n");
    await snapshots.tidy(second, new Set([second]));

    await remote.git("revert", "--no-edit", "HEAD");
    await remote.push();
    const reverted = await mirror.fetch("main");
    const revertedDir = await snapshots.checkout(reverted);
    await snapshots.tidy(reverted, new Set([reverted]));
    expect(await readFile(path.join(revertedDir, "dags/a.ts"), "utf8")).toBe("a v1\n");
    expect(await readFile(path.join(revertedDir, "dags/b.ts"), "utf8")).toBe("b v1\n");
    expect(await exists(path.join(revertedDir, "dags/c.ts"))).toBe(false);

    await remote.git("reset", "--hard", second);
    await remote.push("main", "--force");
    expect(await mirror.fetch("main")).toBe(second);
    const forcedDir = await snapshots.checkout(second);
    expect(await readFile(path.join(forcedDir, "dags/a.ts"), "utf8")).toBe("a v2\n");
    expect(await readFile(path.join(forcedDir, "dags/c.ts"), "utf8")).toBe("c\n");
    expect(await exists(path.join(forcedDir, "dags/b.ts"))).toBe(false);
    // The task's file in the second commit's old snapshot did not come back with the spare.
    expect(await exists(path.join(forcedDir, "dags/stray.ts"))).toBe(false);
  });

  it("cleans a spare it did not ready itself (left by an earlier daemon) before making a snapshot of it", async () => {
    const dir = await cleanup.tempDir("snapshots");
    const { remote, mirror, snapshotsDir, snapshots } = await setUp(dir);
    const first = await mirror.fetch("main");
    await snapshots.checkout(first);
    await snapshots.tidy(first, new Set([first]));
    const spare = path.join(snapshotsDir, SPARE_SNAPSHOT);
    await writeFile(path.join(spare, "dags/stray.ts"), "written after the tidy-up\n");

    const second = await remote.change("a v2", { "dags/a.ts": "a v2\n" });
    await mirror.fetch("main");
    const restarted = new Snapshots(mirror, snapshotsDir);
    const secondDir = await restarted.checkout(second);
    expect(await readFile(path.join(secondDir, "dags/a.ts"), "utf8")).toBe("a v2\n");
    expect(await exists(path.join(secondDir, "dags/stray.ts"))).toBe(false);
  });
});
