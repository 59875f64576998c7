/**
 * The baseline of the sync bench: the git commands of a sync run directly with the git CLI
 * against a bare mirror of their own, each timed. Also times the cheaper alternative to a fresh
 * snapshot: recycling an old worktree (`git worktree move` + `git checkout --detach`).
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { timed } from "./figures.ts";
import { git } from "./git-bench.ts";

export const RAW_STEPS = [
  "ls-remote",
  "fetch",
  "worktree add (fresh snapshot)",
  "diff --name-only",
  "worktree move + checkout (recycled)",
] as const;
export type RawStep = (typeof RAW_STEPS)[number];

export class RawGitSync {
  readonly #mirror: string;
  readonly #dir: string;
  readonly #branch: string;
  #recycled: string;

  private constructor(dir: string, branch: string, recycled: string) {
    this.#dir = dir;
    this.#mirror = path.join(dir, "mirror.git");
    this.#branch = branch;
    this.#recycled = recycled;
  }

  /** A bare mirror of `remote` with its current head fetched and checked out once (as the daemon's). */
  static async create(remote: string, dir: string, branch: string): Promise<RawGitSync> {
    const mirror = path.join(dir, "mirror.git");
    await git(dir, "init", "--quiet", "--bare", mirror);
    await git(mirror, "remote", "add", "origin", remote);
    const raw = new RawGitSync(dir, branch, path.join(dir, "recycled-0"));
    await raw.#fetch();
    await git(mirror, "worktree", "add", "--quiet", "--detach", raw.#recycled, `origin/${branch}`);
    return raw;
  }

  /** Syncs from commit `from` to the remote head `to`; the fresh snapshot is removed afterwards, untimed. */
  async sync(from: string, to: string): Promise<Record<RawStep, number>> {
    const mirror = this.#mirror;
    const fresh = path.join(this.#dir, "fresh");
    const lsRemote = await timed(() => git(mirror, "ls-remote", "origin", `refs/heads/${this.#branch}`));
    const fetched = await timed(() => this.#fetch());
    const added = await timed(() => git(mirror, "worktree", "add", "--quiet", "--detach", fresh, to));
    const diff = await timed(() => git(mirror, "diff", "--name-only", "--no-renames", "-z", from, to));
    if (!diff.value.includes(".ts")) throw new Error(`git diff ${from} ${to} listed no file`);
    const next = path.join(this.#dir, `recycled-${to}`);
    const recycled = await timed(async () => {
      await git(mirror, "worktree", "move", this.#recycled, next);
      await git(next, "checkout", "--quiet", "--detach", "--force", to);
    });
    this.#recycled = next;
    await rm(fresh, { recursive: true, force: true });
    await git(mirror, "worktree", "prune");
    return {
      "ls-remote": lsRemote.ms,
      fetch: fetched.ms,
      "worktree add (fresh snapshot)": added.ms,
      "diff --name-only": diff.ms,
      "worktree move + checkout (recycled)": recycled.ms,
    };
  }

  async #fetch(): Promise<void> {
    const branch = this.#branch;
    await git(
      this.#mirror,
      "fetch",
      "--quiet",
      "--no-tags",
      "--prune",
      "--force",
      "origin",
      `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
    );
  }
}
