import type { DagRegistry } from "../dags/dag-registry.ts";
import type { Logger } from "../log.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import type { RunStore } from "../store/run-store.ts";
import type { DagSource, SyncRecord } from "../sync/sync-status.ts";
import type { WriteAuth } from "./auth.ts";
import type { MetricsSource } from "./routes/metrics-routes.ts";

export interface HealthReport {
  ok: boolean;
  reason?: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

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
  /** Served at `/metrics`; without it there is no such route. */
  metrics?: MetricsSource;
  /** Request log (one line per request); without it requests are not logged. */
  log?: Logger;
}
