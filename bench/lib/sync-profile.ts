/**
 * The steps of one git sync, timed one by one: the same calls as GitSync's sync (GitMirror,
 * loadDagSet, DagRegistry.apply, snapshot pruning) made in this process, so that the daemon's
 * sync time can be split into git and loading.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../src/dags/loader/loader-pool.ts";
import { GitMirror } from "../../src/sync/git-mirror.ts";

export const SYNC_STEPS = [
  "ls-remote",
  "fetch + rev-parse",
  "show (commit info)",
  "worktree prune + add",
  "cat-file + diff",
  "load",
  "apply",
  "prune old snapshot",
] as const;
export type SyncStep = (typeof SYNC_STEPS)[number];

export interface ProfiledSync {
  sha: string;
  ms: Record<SyncStep, number>;
  /** Modules evaluated by the load. */
  evaluated: number;
  dags: number;
}

/** A sync replayed step by step against `remote`, keeping its own mirror and snapshots under `dir`. */
export class SyncProfiler {
  readonly #mirror: GitMirror;
  readonly #pool = new LoaderPool({}, { prewarm: true });
  readonly #registry = new DagRegistry();
  readonly #snapshots: string;
  readonly #dagsDir: string;
  #set: DagSet | undefined;
  #sha: string | undefined;

  constructor(options: { remote: string; dir: string; dagsDir: string }) {
    this.#mirror = new GitMirror({ url: options.remote, dir: path.join(options.dir, "git") });
    this.#snapshots = path.join(options.dir, "snapshots");
    this.#dagsDir = options.dagsDir;
    this.#pool.warm();
  }

  async sync(branch: string): Promise<ProfiledSync> {
    await mkdir(this.#snapshots, { recursive: true });
    const ms = {} as Record<SyncStep, number>;
    const step = async <T>(name: SyncStep, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const value = await work();
      ms[name] = performance.now() - started;
      return value;
    };
    const mirror = this.#mirror;
    const previous = this.#sha;
    await step("ls-remote", () => mirror.remoteHead(branch));
    const sha = await step("fetch + rev-parse", () => mirror.fetch(branch));
    await step("show (commit info)", () => mirror.commitInfo(sha));
    const snapshot = path.join(this.#snapshots, sha);
    await step("worktree prune + add", () => mirror.addSnapshot(sha, snapshot));
    const changed = await step("cat-file + diff", async () =>
      previous ? mirror.changedFiles(previous, sha) : undefined,
    );
    const prefix = this.#dagsDir;
    const { set, stats } = await step("load", () =>
      loadDagSet(
        this.#pool,
        path.join(snapshot, prefix),
        this.#set && changed
          ? { previous: this.#set, changedFiles: changed.map((file) => path.posix.relative(prefix, file)) }
          : undefined,
      ),
    );
    await step("apply", async () => this.#registry.apply(set, { commit: sha, snapshot, prefix }));
    await step("prune old snapshot", async () => {
      if (previous) await mirror.removeSnapshot(path.join(this.#snapshots, previous));
    });
    this.#set = set;
    this.#sha = sha;
    return { sha, ms, evaluated: stats.evaluated, dags: set.dags.length };
  }

  /** The description the last sync loaded for DAG `id`. */
  description(id: string): string | undefined {
    return this.#registry.get(id)?.definition.description ?? undefined;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
