import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitMirror } from "../../src/sync/git-mirror.ts";
import { Cleanup } from "../support/cleanup.ts";
import { createGitRemote } from "../support/git-remote.ts";

// Stands in for ssh: records how git called it, then runs the remote command (git-upload-pack …)
// locally, which is what sshd would do on the far side.
const FAKE_SSH = `#!/bin/sh
echo "$*" >> "$(dirname "$0")/ssh-calls.log"
while [ $# -gt 1 ]; do
  case "$1" in
    -o|-p|-i|-l) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift
exec sh -c "$*"
`;

describe("git over ssh (GIT_SSH_COMMAND)", () => {
  const cleanup = new Cleanup();
  const saved = { command: process.env.GIT_SSH_COMMAND, variant: process.env.GIT_SSH_VARIANT };
  afterEach(async () => {
    for (const [name, value] of [
      ["GIT_SSH_COMMAND", saved.command],
      ["GIT_SSH_VARIANT", saved.variant],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await cleanup.run();
  });

  it("reaches an ssh remote through the user's GIT_SSH_COMMAND and checks out its commit", async () => {
    const dir = await cleanup.tempDir("git-ssh");
    const remote = await createGitRemote(dir, { "dags/a.ts": "export const a = 1;\n" });
    const ssh = path.join(dir, "fake-ssh.sh");
    await writeFile(ssh, FAKE_SSH);
    await chmod(ssh, 0o755);
    process.env.GIT_SSH_COMMAND = ssh;
    process.env.GIT_SSH_VARIANT = "ssh";
    const mirror = new GitMirror({ url: `git@fakehost:${remote.bare}`, dir: path.join(dir, "state", "git") });

    const head = await mirror.remoteHead("main");
    expect(head.sha).toBe(await remote.head());
    expect(await mirror.fetch("main")).toBe(head.sha);
    const snapshot = path.join(dir, "state", "snapshots", head.sha);
    await mirror.addSnapshot(head.sha, snapshot);
    expect(await readFile(path.join(snapshot, "dags/a.ts"), "utf8")).toBe("export const a = 1;\n");
    const calls = await readFile(path.join(dir, "ssh-calls.log"), "utf8");
    expect(calls).toContain("git@fakehost");
    expect(calls).toContain(`git-upload-pack '${remote.bare}'`);
  });
});
