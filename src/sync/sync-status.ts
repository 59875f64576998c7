import type { DagChanges } from "../dags/active-dags.ts";
import type { CommitInfo } from "./git-mirror.ts";
import type { SyncStepTimes } from "./sync-steps.ts";

/** One sync attempt that moved to a new commit or failed (`GET /api/syncs`). */
export interface SyncRecord {
  at: string;
  sha: string | null;
  previousSha: string | null;
  ok: boolean;
  error: string | null;
  durationMs: number;
  changes: DagChanges;
  /** Paths (in the repository) the commit changed since `previousSha`; absent on a first load or in folder mode. */
  files?: ChangedFiles;
  /** What loading the commit gave; absent when the sync failed before loading (fetch, checkout). */
  loaded?: LoadOutcome;
  /** Milliseconds each step of the sync took (git mode), for finding where a push's latency goes. */
  steps?: SyncStepTimes;
}

/** How many changed paths a sync record lists; the rest are counted in `more`. */
export const SYNC_FILES_LISTED = 200;

export interface ChangedFiles {
  paths: string[];
  /** Changed paths left out of `paths`. */
  more: number;
}

export interface LoadOutcome {
  /** DAGs scheduled after the commit was applied (stale ones included). */
  dags: number;
  importErrors: number;
  /** Where the first import error is (as `GET /api/import-errors` names the file). */
  firstError: { file: string; line: number | null; message: string } | null;
}

/** At most SYNC_FILES_LISTED of `paths`, and how many more there are. */
export function changedFilesOf(paths: readonly string[]): ChangedFiles {
  return { paths: paths.slice(0, SYNC_FILES_LISTED), more: Math.max(0, paths.length - SYNC_FILES_LISTED) };
}

/** What `/api/status` shows under `sync`. */
export interface SyncStatus {
  mode: "git" | "folder";
  repo: string;
  branch: string | null;
  dagsDir: string;
  lastAppliedCommit: CommitInfo | null;
  lastAttemptedCommit: CommitInfo | null;
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  nextSyncAt: string | null;
}

/** A DAG source: git (`--repo`) or a watched folder (`--dags`). */
export interface DagSource {
  start(): Promise<void>;
  /** Syncs now (git) or reloads now (folder); resolves when that sync has finished. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
  status(): SyncStatus;
}
