import { chmod, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";
import { ensurePrivateDir } from "../store/durable-write.ts";

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

// simple-git drops GIT_* variables unless allowed; these are the ones users set for ssh and that
// the askpass path needs.
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
// Variables simple-git refuses when passed explicitly (they can make git run other programs).
const GUARDED_ENV = new Set(["EDITOR", "PAGER", "PREFIX", "SSH_ASKPASS", "VISUAL"]);

/** The daemon's environment minus what simple-git would refuse, plus the askpass wiring. */
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

/**
 * A bare mirror of one remote, and detached worktrees ("snapshots") of its commits. All git work
 * goes through simple-git; the token reaches git only via the askpass helper's environment.
 */
export class GitMirror {
  readonly #options: GitMirrorOptions;
  readonly #bare: string;
  #git: SimpleGit | undefined;
  #gitIn: ((baseDir: string) => SimpleGit) | undefined;
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
      const output = await git.raw(["ls-remote", "--symref", "origin", "HEAD"]);
      const ref = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(output);
      const sha = /^([0-9a-f]{40,64})\s+HEAD$/m.exec(output);
      if (!ref?.[1] || !sha?.[1]) throw new Error("the remote has no default branch (HEAD); set --branch");
      return { branch: ref[1], sha: sha[1] };
    }
    const output = await git.raw(["ls-remote", "origin", `refs/heads/${branch}`]);
    const sha = /^([0-9a-f]{40,64})\s/m.exec(output)?.[1];
    if (!sha) throw new Error(`branch "${branch}" does not exist on the remote`);
    return { branch, sha };
  }

  /** Fetches `branch` (history rewrites included) and returns the commit it now points at. */
  async fetch(branch: string): Promise<string> {
    const git = await this.#ready();
    const ref = `refs/remotes/origin/${branch}`;
    await git.raw(["fetch", "--no-tags", "--prune", "--force", "origin", `+refs/heads/${branch}:${ref}`]);
    return (await git.raw(["rev-parse", "--verify", `${ref}^{commit}`])).trim();
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    const git = await this.#ready();
    const output = await git.raw(["show", "-s", "--format=%H%x00%an%x00%aI%x00%s", sha]);
    const [full = sha, author = "", date = "", message = ""] = output.trim().split("\0");
    return { sha: full, author, date, message };
  }

  /** The commit's author email (`%ae`), for telling the author their commit failed to load. */
  async authorEmail(sha: string): Promise<string> {
    const git = await this.#ready();
    return (await git.raw(["show", "-s", "--format=%ae", sha])).trim();
  }

  /**
   * Paths changed between two commits (added, modified, deleted; renames as delete + add), or
   * undefined when `from` is no longer in the mirror.
   */
  async changedFiles(from: string, to: string): Promise<string[] | undefined> {
    const git = await this.#ready();
    try {
      await git.raw(["cat-file", "-e", `${from}^{commit}`]);
    } catch {
      return undefined;
    }
    const output = await git.raw(["diff", "--name-only", "--no-renames", "-z", from, to]);
    return output.split("\0").filter((file) => file !== "");
  }

  /** Checks `sha` out into `dir` as a detached worktree; a complete existing one is reused. */
  async addSnapshot(sha: string, dir: string): Promise<void> {
    const git = await this.#ready();
    if (await exists(path.join(dir, ".git"))) return;
    await rm(dir, { recursive: true, force: true });
    await git.raw(["worktree", "prune"]);
    await git.raw(["worktree", "add", "--detach", "--force", dir, sha]);
  }

  /**
   * Turns a snapshot nothing uses any more into the snapshot of `sha` at `dir`: the worktree is
   * moved and checked out there, so only changed files are written. Falls back to a fresh
   * checkout if the old worktree is not usable.
   */
  async recycleSnapshot(from: string, sha: string, dir: string): Promise<void> {
    const git = await this.#ready();
    try {
      await git.raw(["worktree", "move", from, dir]);
      const worktree = this.#gitIn?.(dir);
      if (!worktree) throw new Error("git is not ready");
      await worktree.raw(["checkout", "--detach", "--force", sha]);
      // Anything a task or tool left in the old snapshot must not leak into the new commit's.
      await worktree.raw(["clean", "-ffdx", "--quiet"]);
    } catch {
      await this.removeSnapshot(from);
      await this.addSnapshot(sha, dir);
    }
  }

  async removeSnapshot(dir: string): Promise<void> {
    const git = await this.#ready();
    await rm(dir, { recursive: true, force: true });
    await git.raw(["worktree", "prune"]);
  }

  async #ready(): Promise<SimpleGit> {
    this.#abort.signal.throwIfAborted();
    if (this.#git) return this.#git;
    const { dir, url, token, username } = this.#options;
    // The mirror and the askpass wiring are the daemon user's only.
    await ensurePrivateDir(dir);
    const askpass = path.join(dir, "askpass.sh");
    await writeFile(askpass, ASKPASS);
    await chmod(askpass, 0o700);
    const gitIn = (baseDir: string) =>
      simpleGit({
        baseDir,
        timeout: { block: this.#options.timeoutMs ?? 120_000 },
        abort: this.#abort.signal,
        allowEnvironment: ALLOWED_ENV,
        // The askpass helper is ours; GIT_SSH_COMMAND is the user's documented way to configure ssh.
        unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true },
      }).env(
        gitEnvironment({
          GIT_ASKPASS: askpass,
          GIT_TERMINAL_PROMPT: "0",
          UPDRAFT_GIT_TOKEN: token ?? "",
          UPDRAFT_GIT_USERNAME: username ?? "",
        }),
      );
    if (!(await exists(path.join(this.#bare, "HEAD")))) {
      await rm(this.#bare, { recursive: true, force: true });
      await gitIn(dir).raw(["init", "--bare", "--quiet", this.#bare]);
    }
    this.#gitIn = gitIn;
    const bare = gitIn(this.#bare);
    const remotes = await bare.getRemotes(true);
    const origin = remotes.find((remote) => remote.name === "origin");
    if (!origin) await bare.raw(["remote", "add", "origin", url]);
    else if (origin.refs.fetch !== url) await bare.raw(["remote", "set-url", "origin", url]);
    this.#git = bare;
    return bare;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
