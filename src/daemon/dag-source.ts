import path from "node:path";
import type { RunConfig } from "../config/run-config.ts";
import type { DagRegistry } from "../dags/dag-registry.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { LoaderPool } from "../dags/loader/loader-pool.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { splitCredentials } from "../sync/credentials.ts";
import { FolderSync } from "../sync/folder-sync.ts";
import { GitMirror } from "../sync/git-mirror.ts";
import { GitSync } from "../sync/git-sync.ts";
import type { DagSource, SyncRecord } from "../sync/sync-status.ts";

export interface SourceParts {
  pool: LoaderPool;
  registry: DagRegistry;
  mask: SecretMask;
  metrics: Metrics;
  /** Where each sync record is reported (`sync:applied` / `sync:failed`). */
  events: Pick<DaemonEventBus, "emit">;
  /** Knows the commits whose snapshots runs in progress still use. */
  scheduler: { commitsInUse(): Iterable<string> };
}

/** Where DAGs come from (`--repo` or `--dags`), with what only git mode has. */
export interface ChosenSource {
  source: DagSource;
  /** The branch a webhook push must be to (git mode, once known); undefined otherwise. */
  followedBranch: () => string | undefined;
  /** Gives up a fetch under way (a first clone from a slow remote would hold up a stop). */
  abort: () => void;
  /** A commit's author email (git mode; undefined in folder mode or when git cannot tell). */
  authorEmail: (sha: string) => Promise<string | undefined>;
}

/** Git mode follows `--repo` into a mirror and snapshots in the state dir; folder mode watches `--dags`. */
export function createDagSource(
  config: Pick<RunConfig, "source" | "gitToken" | "stateDir" | "intervalMs">,
  parts: SourceParts,
): ChosenSource {
  const { pool, registry, mask, metrics } = parts;
  const onSync = (record: SyncRecord) =>
    parts.events.emit(record.ok ? "sync:applied" : "sync:failed", record);
  const credentials =
    config.source.kind === "git" ? splitCredentials(config.source.repo, config.gitToken) : undefined;
  if (config.source.kind === "git" && credentials) {
    const mirror = new GitMirror({
      url: credentials.url,
      dir: path.join(config.stateDir, "git"),
      username: credentials.username,
      token: credentials.token,
    });
    const gitSync = new GitSync({
      mirror,
      pool,
      registry,
      repo: credentials.url,
      branch: config.source.branch,
      dagsDir: config.source.dagsDir,
      snapshotsDir: path.join(config.stateDir, "snapshots"),
      intervalMs: config.intervalMs,
      mask,
      retainedCommits: () => parts.scheduler.commitsInUse(),
      onSync,
      metrics,
    });
    return {
      source: gitSync,
      followedBranch: () => gitSync.branch,
      abort: () => gitSync.abort(),
      authorEmail: (sha) => mirror.authorEmail(sha).then((email) => email || undefined),
    };
  }
  const dir = config.source.kind === "folder" ? config.source.dir : ".";
  return {
    source: new FolderSync({ dir, pool, registry, onSync, metrics }),
    followedBranch: () => undefined,
    abort: () => undefined,
    authorEmail: async () => undefined,
  };
}
