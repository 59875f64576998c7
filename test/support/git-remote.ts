import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { git } from "./git-cli.ts";

/** A bare repository standing in for the remote, and a clone the test commits and pushes from. */
export interface GitRemote {
  /** Path of the bare repository (what `--repo` points at). */
  readonly bare: string;
  /** Path of the working clone. */
  readonly work: string;
  /** Writes files into the clone (`null` deletes one); relative paths. */
  write(files: Record<string, string | null>): Promise<void>;
  /** Commits everything in the clone; resolves to the new commit's sha. */
  commit(message: string): Promise<string>;
  /** Pushes the clone's HEAD to `branch` on the remote (extra args such as `--force` allowed). */
  push(branch?: string, ...extra: string[]): Promise<void>;
  /** write + commit + push; resolves to the pushed sha. */
  change(message: string, files: Record<string, string | null>, branch?: string): Promise<string>;
  /** Runs git in the clone. */
  git(...args: string[]): Promise<string>;
  /** The sha `branch` points at in the bare repository. */
  head(branch?: string): Promise<string>;
}

/** Creates `<dir>/remote.git` (default branch main) and `<dir>/work`, and pushes `files` as the first commit. */
export async function createGitRemote(dir: string, files: Record<string, string>): Promise<GitRemote> {
  const bare = path.join(dir, "remote.git");
  const work = path.join(dir, "work");
  await git(dir, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  await git(dir, "init", "--quiet", "--initial-branch=main", work);
  await git(work, "remote", "add", "origin", bare);
  const remote: GitRemote = {
    bare,
    work,
    async write(changes) {
      for (const [file, text] of Object.entries(changes)) {
        const target = path.join(work, file);
        if (text === null) {
          await rm(target, { force: true });
          continue;
        }
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, text);
      }
    },
    async commit(message) {
      await git(work, "add", "--all");
      await git(work, "commit", "--quiet", "--allow-empty", "-m", message);
      return git(work, "rev-parse", "HEAD");
    },
    async push(branch = "main", ...extra) {
      await git(work, "push", "--quiet", ...extra, "origin", `HEAD:refs/heads/${branch}`);
    },
    async change(message, changes, branch = "main") {
      await remote.write(changes);
      const sha = await remote.commit(message);
      await remote.push(branch);
      return sha;
    },
    git: (...args) => git(work, ...args),
    head: (branch = "main") => git(bare, "rev-parse", `refs/heads/${branch}`),
  };
  await remote.change("initial DAGs", files);
  return remote;
}
