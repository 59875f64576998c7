import { chmod, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir } from "../store/durable-write.ts";
import { type GitCommand, gitCommand } from "./git-command.ts";

/** A commit as the status page shows it. */
export interface CommitInfo {
  sha: string;
  message: string;
  author: string;
  date: string;
}

export interface GitMirrorOptions {
  /** Remote URL without credentials. */
  url: string;
  /** Folder for the bare mirror and the askpass helper. */
  dir: string;
  username?: string | undefined;
  token?: string | undefined;
  /** Limit for one git command. */
  timeoutMs?: number;
}

// Of the GIT_* variables, only these reach git: the ones users set for ssh and TLS, and the askpass
// wiring. Others (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE...) would point git somewhere else.
const ALLOWED_ENV = [
  "GIT_ASKPASS",
  "GIT_TERMINAL_PROMPT",
  "GIT_SSH_COMMAND",
  "GIT_SSH",
  "GIT_SSH_VARIANT",
  "GIT_SSL_CAINFO",
  "GIT_SSL_CAPATH",
  "GIT_HTTP_LOW_SPEED_LIMIT",
  "GIT_HTTP_LOW_SPEED_TIME",
];
// Variables that can make git run other programs.
const GUARDED_ENV = new Set(["EDITOR", "PAGER", "PREFIX", "SSH_ASKPASS", "VISUAL"]);

/** The daemon's environment minus what could redirect git or make it run programs, plus the askpass wiring. */
function gitEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    const upper = key.toUpperCase();
    if ((upper.startsWith("GIT_") && !ALLOWED_ENV.includes(upper)) || GUARDED_ENV.has(upper)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
const ASKPASS = `#!/bin/sh
# Answers git's credential prompts from the environment; holds no secret itself.
case "$1" in
  Username*) printf '%s\\n' "\${UPDRAFT_GIT_USERNAME:-x-access-token}" ;;
  *) printf '%s\\n' "\${UPDRAFT_GIT_TOKEN}" ;;
esac
`;
const COMMIT_FORMAT = "--format=%H%x00%an%x00%aI%x00%s";

/**
 * A bare mirror of one remote, and detached worktrees ("snapshots") of its commits. The token
 * reaches git only via the askpass helper's environment.
 */
export class GitMirror {
  readonly #options: GitMirrorOptions;
  readonly #bare: string;
  #git: GitCommand | undefined;
  /** Kills the git processes under way (and refuses new ones) once the daemon stops. */
  readonly #abort = new AbortController();

  constructor(options: GitMirrorOptions) {
    this.#options = options;
    this.#bare = path.join(options.dir, "mirror.git");
  }

  /** Ends every git command under way (a first clone from a slow remote, say) and any later one. */
  abort(): void {
    this.#abort.abort(new Error("the daemon is stopping"));
  }

  /** The commit `branch` points at on the remote (cheap: no objects move), or the default branch if none given. */
  async remoteHead(branch: string | undefined): Promise<{ branch: string; sha: string }> {
    const git = await this.#ready();
    if (branch === undefined) {
      const output = await git(this.#bare, ["ls-remote", "--symref", "origin", "HEAD"]);
      const ref = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(output);
      const sha = /^([0-9a-f]{40,64})\s+HEAD$/m.exec(output);
      if (!ref?.[1] || !sha?.[1]) throw new Error("the remote has no default branch (HEAD); set --branch");
      return { branch: ref[1], sha: sha[1] };
    }
    const output = await git(this.#bare, ["ls-remote", "origin", `refs/heads/${branch}`]);
    const sha = /^([0-9a-f]{40,64})\s/m.exec(output)?.[1];
    if (!sha) throw new Error(`branch "${branch}" does not exist on the remote`);
    return { branch, sha };
  }

  /** Fetches `branch` (history rewrites included) and returns the commit it now points at. */
  async fetch(branch: string): Promise<string> {
    return (await this.fetchCommit(branch)).sha;
  }

  /**
   * Fetches `branch` (history rewrites included) and describes the commit it now points at: one
   * round trip to the remote (nothing moves when nothing is new) and one local command.
   */
  async fetchCommit(branch: string): Promise<CommitInfo> {
    const git = await this.#ready();
    const ref = `refs/remotes/origin/${branch}`;
    try {
      await git(this.#bare, [
        "fetch",
        "--no-tags",
        "--prune",
        "--force",
        "origin",
        `+refs/heads/${branch}:${ref}`,
      ]);
    } catch (error) {
      if (/couldn't find remote ref/i.test((error as Error).message))
        throw new Error(`branch "${branch}" does not exist on the remote`, { cause: error });
      throw error;
    }
    return this.commitInfo(`${ref}^{commit}`);
  }

  async commitInfo(rev: string): Promise<CommitInfo> {
    const git = await this.#ready();
    const output = await git(this.#bare, ["show", "-s", COMMIT_FORMAT, rev, "--"]);
    const [sha = rev, author = "", date = "", message = ""] = output.trim().split("\0");
    return { sha, author, date, message };
  }

  /** The commit's author email (`%ae`), for telling the author their commit failed to load. */
  async authorEmail(sha: string): Promise<string> {
    const git = await this.#ready();
    return (await git(this.#bare, ["show", "-s", "--format=%ae", sha, "--"])).trim();
  }

  /**
   * Paths changed between two commits (added, modified, deleted; renames as delete + add), or
   * undefined when `from` is no longer in the mirror.
   */
  async changedFiles(from: string, to: string): Promise<string[] | undefined> {
    const git = await this.#ready();
    let output: string;
    try {
      output = await git(this.#bare, ["diff", "--name-only", "--no-renames", "-z", from, to, "--"]);
    } catch (error) {
      // Only now ask whether `from` is gone (a force push, a gc): the common case pays one command.
      const known = await git(this.#bare, ["cat-file", "-e", `${from}^{commit}`]).then(
        () => true,
        () => false,
      );
      if (!known) return undefined;
      throw error;
    }
    return output.split("\0").filter((file) => file !== "");
  }

  /** Checks `sha` out into `dir` as a detached worktree; a complete existing one is reused. */
  async addSnapshot(sha: string, dir: string): Promise<void> {
    const git = await this.#ready();
    if (await exists(path.join(dir, ".git"))) return;
    await rm(dir, { recursive: true, force: true });
    await git(this.#bare, ["worktree", "prune"]);
    await git(this.#bare, ["worktree", "add", "--detach", "--force", dir, sha]);
  }

  /**
   * Points the worktree at `dir` to `sha`, writing only the files that differ from what it holds.
   * With `clean`, files git does not track (left by a task or tool) are removed too.
   */
  async checkoutIn(dir: string, sha: string, options: { clean: boolean }): Promise<void> {
    const git = await this.#ready();
    await git(dir, ["checkout", "--quiet", "--detach", "--force", sha]);
    if (options.clean) await git(dir, ["clean", "-ffdx", "--quiet"]);
  }

  /** Moves the worktree at `from` to `to` (a rename: no file is written). */
  async moveSnapshot(from: string, to: string): Promise<void> {
    const git = await this.#ready();
    await git(this.#bare, ["worktree", "move", from, to]);
  }

  /**
   * Turns a snapshot nothing uses any more into the snapshot of `sha` at `dir`: the worktree is
   * moved and checked out there, so only changed files are written. Falls back to a fresh
   * checkout if the old worktree is not usable.
   */
  async recycleSnapshot(from: string, sha: string, dir: string): Promise<void> {
    try {
      // Checked out before the move: a snapshot folder named for a commit never holds another's files.
      await this.checkoutIn(from, sha, { clean: true });
      await this.moveSnapshot(from, dir);
    } catch {
      await this.removeSnapshot(from);
      await this.addSnapshot(sha, dir);
    }
  }

  async removeSnapshot(dir: string): Promise<void> {
    const git = await this.#ready();
    await rm(dir, { recursive: true, force: true });
    await git(this.#bare, ["worktree", "prune"]);
  }

  async #ready(): Promise<GitCommand> {
    this.#abort.signal.throwIfAborted();
    if (this.#git) return this.#git;
    const { dir, url, token, username } = this.#options;
    // The mirror and the askpass wiring are the daemon user's only.
    await ensurePrivateDir(dir);
    const askpass = path.join(dir, "askpass.sh");
    await writeFile(askpass, ASKPASS);
    await chmod(askpass, 0o700);
    const git = gitCommand({
      timeoutMs: this.#options.timeoutMs ?? 120_000,
      signal: this.#abort.signal,
      env: gitEnvironment({
        GIT_ASKPASS: askpass,
        GIT_TERMINAL_PROMPT: "0",
        UPDRAFT_GIT_TOKEN: token ?? "",
        UPDRAFT_GIT_USERNAME: username ?? "",
      }),
    });
    if (!(await exists(path.join(this.#bare, "HEAD")))) {
      await rm(this.#bare, { recursive: true, force: true });
      await git(dir, ["init", "--bare", "--quiet", this.#bare]);
    }
    const origin = await git(this.#bare, ["config", "--get", "remote.origin.url"]).then(
      (value) => value.trim(),
      () => undefined,
    );
    if (origin === undefined) await git(this.#bare, ["remote", "add", "origin", "--", url]);
    else if (origin !== url) await git(this.#bare, ["remote", "set-url", "origin", "--", url]);
    this.#git = git;
    return git;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
