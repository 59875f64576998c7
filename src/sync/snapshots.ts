import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir } from "../store/durable-write.ts";
import type { GitMirror } from "./git-mirror.ts";

/** The spare worktree's folder name: never a commit's, so it can hold any commit's files. */
export const SPARE_SNAPSHOT = "spare";

/**
 * The per-commit snapshots (worktrees named by commit, never changed once made: tasks run from
 * them) and one spare worktree. After each sync the spare is brought to the commit just applied
 * and cleaned, off the push's path; the next commit's snapshot is then the spare with only that
 * commit's changed files written, renamed to the commit.
 */
export class Snapshots {
  readonly #mirror: GitMirror;
  readonly #dir: string;
  readonly #spare: string;
  /** True while the spare holds exactly some commit's tracked files and nothing else (this process made it so). */
  #spareClean = false;

  constructor(mirror: GitMirror, dir: string) {
    this.#mirror = mirror;
    this.#dir = dir;
    this.#spare = path.join(dir, SPARE_SNAPSHOT);
  }

  pathOf(sha: string): string {
    return path.join(this.#dir, sha);
  }

  /** Makes the snapshot of `sha` exist (an existing one, the spare moved to it, or a fresh checkout). */
  async checkout(sha: string): Promise<string> {
    await ensurePrivateDir(this.#dir);
    const target = this.pathOf(sha);
    if (await isWorktree(target)) return target;
    if (await isWorktree(this.#spare)) {
      const clean = !this.#spareClean;
      this.#spareClean = false;
      try {
        // Checked out before the move: a folder named for a commit never holds another's files.
        await this.#mirror.checkoutIn(this.#spare, sha, { clean });
        if (await exists(target)) await this.#mirror.removeSnapshot(target);
        await this.#mirror.moveSnapshot(this.#spare, target);
        return target;
      } catch {
        await this.#mirror.removeSnapshot(this.#spare);
      }
    }
    await this.#mirror.addSnapshot(sha, target);
    return target;
  }

  /**
   * After a sync applied `current`: readies the spare at `current` (an unused snapshot becomes it,
   * or, the first time, a fresh checkout) and removes the other snapshots nothing uses.
   */
  async tidy(current: string, inUse: ReadonlySet<string>): Promise<void> {
    this.#spareClean = false;
    const entries = await readdir(this.#dir).catch(() => [] as string[]);
    const unused = entries.filter((entry) => entry !== SPARE_SNAPSHOT && !inUse.has(entry));
    if (!(await isWorktree(this.#spare))) {
      const donor = unused.shift();
      if (donor) {
        const from = path.join(this.#dir, donor);
        await this.#mirror.moveSnapshot(from, this.#spare).catch(() => this.#mirror.removeSnapshot(from));
      }
    }
    for (const entry of unused) await this.#mirror.removeSnapshot(path.join(this.#dir, entry));
    try {
      if (!(await isWorktree(this.#spare))) await this.#mirror.addSnapshot(current, this.#spare);
      // Also after a fresh checkout: its index is rewritten with every file's state, which spares
      // the next push's checkout from examining every file again (80 ms at 10,000 files).
      await this.#mirror.checkoutIn(this.#spare, current, { clean: true });
      this.#spareClean = true;
    } catch {
      // The next sync checks its commit out afresh instead.
      await this.#mirror.removeSnapshot(this.#spare);
    }
  }
}

function isWorktree(dir: string): Promise<boolean> {
  return exists(path.join(dir, ".git"));
}

function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
