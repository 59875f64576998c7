/**
 * The floor of the sync bench, with the git CLI and plain Node, no updraft code: `git fetch` into
 * a bare mirror of its own, `git checkout <sha> -- <file>` of the one changed file in an existing
 * worktree, and importing that module again in a warm Node process. Also times the heavier
 * alternatives (ls-remote, a fresh `git worktree add`, the diff) for comparison.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { timed } from "./figures.ts";
import { git } from "./git-bench.ts";

export const RAW_STEPS = [
  "fetch",
  "checkout <sha> -- <file> (existing worktree)",
  "import the module (warm process)",
  "ls-remote",
  "diff --name-only",
  "worktree add (fresh snapshot of the whole tree)",
] as const;
export type RawStep = (typeof RAW_STEPS)[number];
/** The steps the floor adds up. */
export const FLOOR_STEPS: readonly RawStep[] = RAW_STEPS.slice(0, 3);

const IMPORTER = fileURLToPath(new URL("./warm-importer.mjs", import.meta.url));
const HOOKS = new URL("./register-baseline-hooks.mjs", import.meta.url).href;

export class RawGitSync {
  readonly #mirror: string;
  readonly #dir: string;
  readonly #branch: string;
  readonly #worktree: string;
  readonly #importer: ChildProcess;

  private constructor(dir: string, branch: string, importer: ChildProcess) {
    this.#dir = dir;
    this.#mirror = path.join(dir, "mirror.git");
    this.#worktree = path.join(dir, "worktree");
    this.#branch = branch;
    this.#importer = importer;
  }

  /**
   * A bare mirror of `remote` with its head checked out once into a worktree, and a Node process
   * that has imported `warmWith` (a DAG module path relative to the repository) from it.
   */
  static async create(remote: string, dir: string, branch: string, warmWith: string): Promise<RawGitSync> {
    const mirror = path.join(dir, "mirror.git");
    await git(dir, "init", "--quiet", "--bare", mirror);
    await git(mirror, "remote", "add", "origin", remote);
    const importer = fork(IMPORTER, [], {
      execArgv: ["--import", HOOKS, "--import", "tsx"],
      stdio: "ignore",
    });
    await once(importer, "message");
    const raw = new RawGitSync(dir, branch, importer);
    await raw.#fetch();
    await git(mirror, "worktree", "add", "--quiet", "--detach", raw.#worktree, `origin/${branch}`);
    await raw.#import(path.join(raw.#worktree, warmWith));
    return raw;
  }

  /** Takes commit `to` (one changed `file`, relative to the repository) after `from`; each step timed. */
  async sync(
    from: string,
    to: string,
    file: string,
  ): Promise<{ ms: Record<RawStep, number>; description: unknown }> {
    const mirror = this.#mirror;
    const fetched = await timed(() => this.#fetch());
    const checkout = await timed(() => git(this.#worktree, "checkout", to, "--", file));
    const imported = await timed(() => this.#import(path.join(this.#worktree, file)));
    const lsRemote = await timed(() => git(mirror, "ls-remote", "origin", `refs/heads/${this.#branch}`));
    const diff = await timed(() => git(mirror, "diff", "--name-only", "--no-renames", "-z", from, to));
    if (!diff.value.includes(".ts")) throw new Error(`git diff ${from} ${to} listed no file`);
    const fresh = path.join(this.#dir, "fresh");
    const added = await timed(() => git(mirror, "worktree", "add", "--quiet", "--detach", fresh, to));
    await rm(fresh, { recursive: true, force: true });
    await git(mirror, "worktree", "prune");
    return {
      ms: {
        fetch: fetched.ms,
        "checkout <sha> -- <file> (existing worktree)": checkout.ms,
        "import the module (warm process)": imported.ms,
        "ls-remote": lsRemote.ms,
        "diff --name-only": diff.ms,
        "worktree add (fresh snapshot of the whole tree)": added.ms,
      },
      description: imported.value,
    };
  }

  close(): void {
    this.#importer.kill();
  }

  /** Has the warm process import `file` again; resolves to the default export's description. */
  async #import(file: string): Promise<unknown> {
    this.#importer.send(file);
    const [answer] = (await once(this.#importer, "message")) as [{ description?: unknown; error?: string }];
    if (answer.error) throw new Error(`importing ${file} in the warm process: ${answer.error}`);
    return answer.description;
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
