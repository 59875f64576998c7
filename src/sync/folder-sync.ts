import path from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { DagRegistry } from "../dags/dag-registry.ts";
import type { DagSet } from "../dags/dag-set.ts";
import { loadDagSet } from "../dags/dag-set-loader.ts";
import type { LoaderPool } from "../dags/loader/loader-pool.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { DagSource, SyncRecord, SyncStatus } from "./sync-status.ts";
import { SyncTrigger } from "./sync-trigger.ts";

export interface FolderSyncOptions {
  dir: string;
  pool: LoaderPool;
  registry: DagRegistry;
  /** Quiet time after the last change before reloading. */
  debounceMs?: number;
  onSync?: (record: SyncRecord) => void;
  metrics?: Pick<Metrics, "syncFinished">;
}

/**
 * Local-folder mode (`--dags`): watches a folder and reloads changed files with the same loader,
 * errors and status as git mode. Editors save in bursts, so changes are debounced.
 */
export class FolderSync implements DagSource {
  readonly #options: FolderSyncOptions;
  readonly #root: string;
  readonly #trigger: SyncTrigger;
  readonly #pending = new Set<string>();
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #lastSet: DagSet | undefined;
  #lastSyncAt: string | null = null;
  #lastSuccessAt: string | null = null;
  #lastError: string | null = null;

  constructor(options: FolderSyncOptions) {
    this.#options = options;
    this.#root = path.resolve(options.dir);
    // The watcher, not a timer, drives reloads; the interval only bounds a missed event's cost.
    this.#trigger = new SyncTrigger(
      async () => {
        const started = performance.now();
        const reloaded = await this.#reload();
        const ok = reloaded && this.#lastError === null;
        options.metrics?.syncFinished({ ok, durationMs: performance.now() - started, at: new Date() });
        return reloaded;
      },
      { intervalMs: 24 * 3_600_000 },
    );
  }

  async start(): Promise<void> {
    this.#watcher = watch(this.#root, {
      ignoreInitial: true,
      ignored: (file) =>
        /(^|[/\\])(node_modules|\.(?!updraftignore$)[^/\\]+)([/\\]|$)/.test(path.relative(this.#root, file)),
    });
    this.#watcher.on("all", (_event, file) => this.#changed(file));
    await new Promise<void>((resolve) => this.#watcher?.once("ready", () => resolve()));
    await this.#trigger.start();
  }

  syncNow(): Promise<void> {
    return this.#trigger.request();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#debounce);
    await this.#watcher?.close();
    await this.#trigger.stop();
  }

  status(): SyncStatus {
    return {
      mode: "folder",
      repo: this.#root,
      branch: null,
      dagsDir: ".",
      lastAppliedCommit: null,
      lastAttemptedCommit: null,
      lastSyncAt: this.#lastSyncAt,
      lastSuccessAt: this.#lastSuccessAt,
      lastError: this.#lastError,
      nextSyncAt: null,
    };
  }

  #changed(file: string): void {
    this.#pending.add(path.relative(this.#root, file).split(path.sep).join("/"));
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.#trigger.request(), this.#options.debounceMs ?? 150);
  }

  async #reload(): Promise<boolean> {
    const started = performance.now();
    const at = new Date().toISOString();
    const changedFiles = [...this.#pending];
    this.#pending.clear();
    try {
      const { set } = await loadDagSet(
        this.#options.pool,
        this.#root,
        this.#lastSet ? { previous: this.#lastSet, changedFiles } : undefined,
      );
      this.#lastSet = set;
      const changes = this.#options.registry.apply(set, { commit: null, snapshot: this.#root, prefix: "" });
      this.#lastSyncAt = at;
      const count = set.errors.length;
      // Worded as in git mode: the count and the first error's place.
      const first = this.#options.registry.importErrors()[0];
      const where = first
        ? ` (first: ${first.file}${first.line ? `:${first.line}` : ""}: ${first.message})`
        : "";
      this.#lastError = count === 0 ? null : `${count} import error${count === 1 ? "" : "s"}${where}`;
      if (count === 0) this.#lastSuccessAt = at;
      const durationMs = Math.round(performance.now() - started);
      this.#options.onSync?.({
        at,
        sha: null,
        previousSha: null,
        ok: count === 0,
        error: this.#lastError,
        durationMs,
        changes,
      });
      return true;
    } catch (error) {
      for (const file of changedFiles) this.#pending.add(file);
      this.#lastSyncAt = at;
      this.#lastError = (error as Error).message;
      return false;
    }
  }
}
