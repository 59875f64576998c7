// Issue #16 point 1 (--notify-commit-author): the mirror tells a commit's author email.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GitMirror } from "../../src/sync/git-mirror.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { useCleanup } from "../support/use-cleanup.ts";

describe("GitMirror.authorEmail", () => {
  const cleanup = useCleanup();

  it("reads the author email (%ae) of a fetched commit", async () => {
    const dir = await cleanup.tempDir("mirror-author");
    const remote = await createGitRemote(dir, { "a.ts": "export const a = 1;\n" });
    await remote.write({ "b.ts": "export const b = 2;\n" });
    await remote.git("add", "--all");
    await remote.git("commit", "--quiet", "--author", "Dana Dev <dana@dev.example>", "-m", "add b");
    await remote.push();
    const mirror = new GitMirror({ url: remote.bare, dir: path.join(dir, "state", "git") });
    const head = await mirror.fetch("main");
    expect(await mirror.authorEmail(head)).toBe("dana@dev.example");
  });
});
