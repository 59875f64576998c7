import path from "node:path";
import type { DagRegistry } from "../dags/dag-registry.ts";
import type { DagSet } from "../dags/dag-set.ts";
import { loadDagSet } from "../dags/dag-set-loader.ts";
import type { LoaderPool } from "../dags/loader/loader-pool.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { removeUrlCredentials } from "./credentials.ts";
import type { CommitInfo, GitMirror } from "./git-mirror.ts";
import { changedFilesOf, type DagSource, type SyncRecord, type SyncStatus } from "./sync-status.ts";
import { Snapshots } from "./snapshots.ts";
import { SyncStepTimer } from "./sync-steps.ts";
import { SyncTrigger } from "./sync-trigger.ts";

export interface GitSyncOptions {
  mirror: GitMirror;
  pool: LoaderPool;
  registry: DagRegistry;
  /** Remote URL without credentials. */
  repo: string;
  /** Followed branch; the remote's default branch when undefined. */
  branch: string | undefined;
  /** Folder inside the repository where discovery starts (`.` for the root). */
  dagsDir: string;
  snapshotsDir: string;
  intervalMs: number;
  /** The daemon's secret mask, applied to every error message (with any `user:password@` removed). */
  mask: SecretMask;
  /** Commits that must keep their snapshot (runs in progress); the applied ones always do. */
  retainedCommits?: () => Iterable<string>;
  onSync?: (record: SyncRecord) => void;
  /** Told about every attempt, including polls that found nothing new. */
  metrics?: Pick<Metrics, "syncFinished">;
}

/**
 * Follows a branch: polls (and syncs on request), fetches a new head into the mirror, checks it
 * out as an immutable per-commit snapshot, reloads only what changed, and switches the DAG set
 * over once it has loaded. Failures leave the last good DAGs running and show the cause.
 */
export class GitSync implements DagSource {
  readonly #options: GitSyncOptions;
  readonly #trigger: SyncTrigger;
  readonly #prefix: string;
  readonly #snapshots: Snapshots;
  #branch: string | undefined;
  #lastSet: DagSet | undefined;
  #lastSetCommit: string | undefined;
  #applied: CommitInfo | null = null;
  #attempted: CommitInfo | null = null;
  #lastSyncAt: string | null = null;
  #lastSuccessAt: string | null = null;
  /** The last sync's failure (remote, fetch, checkout), if it failed. */
  #syncError: string | null = null;
  /** Import errors of the last loaded commit, summarised. */
  #loadError: string | null = null;

  constructor(options: GitSyncOptions) {
    this.#options = options;
    this.#branch = options.branch;
    this.#snapshots = new Snapshots(options.mirror, options.snapshotsDir);
    this.#prefix = path.posix
      .normalize(options.dagsDir)
      .replace(/^\.\/?$/, "")
      .replace(/\/$/, "");
    this.#trigger = new SyncTrigger(
      async () => {
        const started = performance.now();
        const synced = await this.#syncOnce();
        const ok = synced && this.#loadError === null;
        options.metrics?.syncFinished({ ok, durationMs: performance.now() - started, at: new Date() });
        return synced;
      },
      { intervalMs: options.intervalMs },
    );
  }

  start(): Promise<void> {
    return this.#trigger.start();
  }

  syncNow(): Promise<void> {
    return this.#trigger.request();
  }

  stop(): Promise<void> {
    return this.#trigger.stop();
  }

  /** Ends the sync under way at once (its git commands are killed) and fails any later one: shutdown. */
  abort(): void {
    this.#options.mirror.abort();
  }

  /** The branch followed (known after the first sync when it is the remote's default). */
  get branch(): string | undefined {
    return this.#branch;
  }

  status(): SyncStatus {
    return {
      mode: "git",
      repo: this.#options.repo,
      branch: this.#branch ?? null,
      dagsDir: this.#prefix || ".",
      lastAppliedCommit: this.#applied,
      lastAttemptedCommit: this.#attempted,
      lastSyncAt: this.#lastSyncAt,
      lastSuccessAt: this.#lastSuccessAt,
      lastError: this.#syncError ?? this.#loadError,
      nextSyncAt: this.#trigger.nextSyncAt?.toISOString() ?? null,
    };
  }

  async #syncOnce(): Promise<boolean> {
    const started = performance.now();
    const at = new Date().toISOString();
    const { mirror, registry } = this.#options;
    const previousSha = this.#lastSetCommit ?? null;
    let sha: string | null = null;
    const steps = new SyncStepTimer();
    try {
      // The remote's default branch is asked once; after that a fetch alone finds out what is new.
      this.#branch ??= (await steps.time("ls-remote", () => mirror.remoteHead(undefined))).branch;
      const branch = this.#branch;
      const commit = await steps.time("fetch", () => mirror.fetchCommit(branch));
      if (commit.sha === this.#lastSetCommit) {
        // Nothing new; a failure before (remote down) is over.
        this.#lastSyncAt = at;
        this.#syncError = null;
        if (!this.#loadError) this.#lastSuccessAt = at;
        return true;
      }
      sha = commit.sha;
      this.#attempted = commit;
      const lastCommit = this.#lastSetCommit;
      // The diff (in the mirror) and the checkout (in the spare worktree) are independent.
      const [snapshot, changed] = await Promise.all([
        steps.time("snapshot", () => this.#snapshots.checkout(commit.sha)),
        this.#lastSet && lastCommit
          ? steps.time("diff", () => mirror.changedFiles(lastCommit, commit.sha))
          : undefined,
      ]);
      const root = this.#prefix ? path.join(snapshot, this.#prefix) : snapshot;
      const { set } = await steps.time("load", () =>
        loadDagSet(
          this.#options.pool,
          root,
          this.#lastSet && changed
            ? { previous: this.#lastSet, changedFiles: this.#relativeToDagsDir(changed) }
            : undefined,
        ),
      );
      const changes = await steps.time("apply", () =>
        registry.apply(set, { commit: commit.sha, snapshot, prefix: this.#prefix }),
      );
      this.#lastSet = set;
      this.#lastSetCommit = commit.sha;
      this.#lastSyncAt = at;
      this.#syncError = null;
      const errorCount = set.errors.length;
      if (errorCount === 0) {
        this.#applied = commit;
        this.#lastSuccessAt = at;
        this.#loadError = null;
      } else {
        const first = registry.importErrors()[0];
        const where = first
          ? ` (first: ${first.file}${first.line ? `:${first.line}` : ""}: ${first.message})`
          : "";
        this.#loadError = `${errorCount} import error${errorCount === 1 ? "" : "s"} in ${commit.sha.slice(0, 12)}${where}`;
      }
      const durationMs = Math.round(performance.now() - started);
      const firstError = registry.importErrors()[0];
      this.#record({
        at,
        sha: commit.sha,
        previousSha,
        ok: errorCount === 0,
        error: this.#loadError,
        durationMs,
        changes,
        ...(changed ? { files: changedFilesOf(changed) } : {}),
        loaded: {
          dags: registry.counts().loaded,
          importErrors: errorCount,
          firstError: firstError
            ? { file: firstError.file, line: firstError.line, message: firstError.message }
            : null,
        },
        steps: { ...steps.times },
      });
      // After the record: the change is live; readying the next commit's snapshot is not on its path.
      await this.#snapshots.tidy(commit.sha, this.#snapshotsInUse());
      return true;
    } catch (error) {
      this.#lastSyncAt = at;
      this.#syncError = this.#options.mask.mask(removeUrlCredentials(describe(error)));
      this.#record({
        at,
        sha,
        previousSha,
        ok: false,
        error: this.#syncError,
        durationMs: Math.round(performance.now() - started),
        changes: { added: [], updated: [], removed: [] },
        steps: { ...steps.times },
      });
      return false;
    }
  }

  /**
   * Changed paths relative to the DAGs folder. Files outside it are kept as `../` paths: that is
   * how a DAG module's import of a helper outside the folder is recorded, so its importers reload.
   */
  #relativeToDagsDir(files: readonly string[]): string[] {
    if (!this.#prefix) return [...files];
    const prefix = this.#prefix;
    return files.map((file) => path.posix.relative(prefix, file));
  }

  #record(record: SyncRecord): void {
    this.#options.onSync?.(record);
  }

  /** Commits whose snapshot must stay as it is: the applied set, DAGs kept stale, runs in progress. */
  #snapshotsInUse(): Set<string> {
    const keep = new Set<string>();
    if (this.#lastSetCommit) keep.add(this.#lastSetCommit);
    for (const dag of this.#options.registry.all()) if (dag.commit) keep.add(dag.commit);
    for (const sha of this.#options.retainedCommits?.() ?? []) keep.add(sha);
    return keep;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The message is git's stderr; keep its meaningful lines.
  const lines = error.message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.slice(0, 4).join(" | ");
}
