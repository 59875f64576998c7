import type { HealthReport } from "../health/health-report.ts";
import type { DagRegistry } from "../dags/dag-registry.ts";
import type { Logger } from "../log/logger.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { RunStore } from "../store/run-store.ts";
import type { LeaderView } from "../leader/leader-view.ts";
import type { DagSource, SyncRecord } from "../sync/sync-status.ts";
import type { WriteAuth } from "./auth/write-auth.ts";
import type { MetricsSource } from "./routes/metrics-routes.ts";

export type { HealthReport } from "../health/health-report.ts";

/** What the HTTP layer needs from the daemon; nothing more. */
export interface AppDeps {
  registry: DagRegistry;
  source: DagSource;
  scheduler: Scheduler;
  store: RunStore;
  syncHistory: () => readonly SyncRecord[];
  health: () => HealthReport;
  auth: WriteAuth;
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
  /** Where the webhook spools a body while its signature is checked (default: the OS temp dir). */
  spoolDir?: string;
}
