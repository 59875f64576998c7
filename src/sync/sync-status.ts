import type { DagChanges } from "../dags/active-dags.ts";
import type { CommitInfo } from "./git-mirror.ts";

/** One sync attempt that moved to a new commit or failed (`GET /api/syncs`). */
export interface SyncRecord {
  at: string;
  sha: string | null;
  previousSha: string | null;
  ok: boolean;
  error: string | null;
  durationMs: number;
  changes: DagChanges;
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
