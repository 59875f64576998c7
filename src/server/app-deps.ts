import type { Backfill, BackfillInput } from "../runs/backfill-model.ts";
import type { RunChange } from "../runs/run-change.ts";
import type { PoolUsage } from "../runs/pool-slots.ts";
import type { ActiveDag, ImportError } from "../dags/active-dags.ts";
import type { HealthReport } from "../health/health-report.ts";
import type { LeaderView } from "../leader/leader-view.ts";
import type { Logger } from "../log/logger.ts";
import type { LogOpener } from "../logs/log-handle.ts";
import type { TryFileKey } from "../runs/try-files.ts";
import type { DagState } from "../runs/active-state.ts";
import type { Run } from "../runs/run-model.ts";
import type { RunCursor } from "../runs/run-order.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { DagSource, SyncRecord } from "../sync/sync-status.ts";
import type { AuditReader, AuditSink } from "../audit/audit-entry.ts";
import type { AuditEntries } from "../audit/dag-history.ts";
import type { AccessSettings } from "./auth/access-settings.ts";
import type { MetricsSource } from "./routes/metrics-routes.ts";
import type { CommitLinks } from "./page/sync-history-section.ts";
import type { OutboxView } from "../notify/notification.ts";

export type { HealthReport } from "../health/health-report.ts";

/** The DAGs the daemon runs, as the server reads them (the DAG registry). */
export interface DagCatalog {
  /** True once the first load has been applied (`/readyz`). */
  readonly loaded: boolean;
  all(): ActiveDag[];
  get(id: string): ActiveDag | undefined;
  /** The same array until the next load (the status page's cache compares it). */
  importErrors(): ImportError[];
}

/** Runs and per-DAG state, as the server reads them (the run store). */
export interface RunReader {
  /** The state file's DAG flags (the status page's cache key). */
  readonly state: {
    readonly dags: Readonly<Record<string, DagState>>;
    /** Backfills by id (running ones and the newest finished ones). */
    readonly backfills: Readonly<Record<string, Backfill>>;
  };
  /** Moves on with every change of active state (absent: readers compare the state itself). */
  readonly revision?: number;
  /** Why the last write failed, if it did: writes are refused until one succeeds. */
  readonly writeError: Error | undefined;
  dag(id: string): DagState | undefined;
  getRun(id: string): Run | undefined;
  /** A DAG's runs, newest first; with `before`, only the runs after that one. */
  runsOf(dagId: string, limit: number, before?: RunCursor): Run[];
  allRuns(limit: number, before?: RunCursor): Run[];
  activeRuns(): Run[];
  /** Runs of every DAG by queue time, newest first (the status page). */
  recentRuns(limit: number): Run[];
}

/**
 * What the server asks of the scheduler: run commands (they reject with a SchedulerError whose
 * `code` the routes map to a 4xx) and where a try's log is.
 */
export interface RunControl {
  trigger(dagId: string, conf: Record<string, unknown>, options?: { by?: string }): Promise<Run>;
  setPaused(dagId: string, paused: boolean): Promise<void>;
  isPaused(dagId: string): boolean;
  clear(runId: string, taskId: string): Promise<Run>;
  retryFailed(runId: string): Promise<Run>;
  /** Stops or marks an unfinished run, or marks one of its tasks; a stopped run ends `failed`, reason `stopped by <actor>`. */
  controlRun(runId: string, change: RunChange, actor: string): Promise<Run>;
  logFile(run: Pick<Run, "dagId" | "id">, taskId: string, tryNumber: number): string;
  /** `--pool` usage (`/api/status`, the page); absent: no pools. */
  pools?(): PoolUsage[];
  /** Starts a backfill of a date range; refuses a bad range, conf or a DAG without a schedule. */
  backfill(dagId: string, input: BackfillInput, actor?: string): Promise<Backfill>;
  /** Cancels a running backfill; the runs it has under way finish. */
  cancelBackfill(id: string, actor: string): Promise<Backfill>;
}

/** The DAG source, as the server uses it: its status and "sync now". */
export type SyncControl = Pick<DagSource, "status" | "syncNow">;

/** What the HTTP layer needs from the daemon; nothing more. */
export interface AppDeps {
  registry: DagCatalog;
  source: SyncControl;
  scheduler: RunControl;
  store: RunReader;
  syncHistory: () => readonly SyncRecord[];
  /** Where commits and files are on GitHub (`--github-repo`, or a GitHub remote); absent: no links. */
  commitLinks?: CommitLinks | undefined;
  health: () => HealthReport;
  /** Who may read and write: tokens, sign-in, roles, the loopback rules. */
  auth: AccessSettings;
  /** The audit log: every write is appended before it is answered; admins read it. Absent: not kept. */
  audit?: (AuditSink & AuditReader & AuditEntries) | undefined;
  /** `--webhook-secret`; the webhook is refused without one. */
  webhookSecret: string | undefined;
  /** The branch a push must be to for the webhook to sync (undefined: the remote's default). */
  followedBranch: () => string | undefined;
  version: string;
  /** Leader election; a standby answers writes with 503. Absent: this replica always leads. */
  leadership?: () => LeaderView;
  /** Served at `/metrics`; without it there is no such route. */
  metrics?: MetricsSource;
  /** Request log (one line per request); without it requests are not logged. */
  log?: Logger;
  /** The daemon's secret mask: every JSON and HTML body served passes through it. */
  mask: SecretMask;
  /** `--max-conf-bytes`: the largest conf a trigger may carry (default 64 KiB). */
  maxConfBytes?: number;
  /** Reads a try's log: the local file while it exists, else the stored object (`--log-store`). Absent: the local file only. */
  tryLog?: ((file: string, key: TryFileKey) => LogOpener) | undefined;
  /** Where the webhook spools a body while its signature is checked (default: the OS temp dir). */
  spoolDir?: string;
  /** The notification outbox: what is pending and what was given up on (page, `GET /api/notifications`). Absent: none. */
  notifications?: OutboxView | undefined;
}
