import type { RunConfig } from "../config/run-config.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import { startCommitStatuses } from "../github/commit-statuses.ts";
import type { Clock } from "../leader/clock.ts";
import type { Logger } from "../log/logger.ts";
import { githubStatusPostsCounter } from "../metrics/github-status-metrics.ts";
import type { PrometheusMetrics } from "../metrics/prometheus-metrics.ts";
import { durableStateWriter, type StateWriter } from "../store/durable-write.ts";
import type { SyncHistory } from "../sync/sync-history.ts";

/** Who hears of each sync: the history (API, page, log) and, with --github-status, GitHub. */
export function followSyncs(
  events: DaemonEventBus,
  parts: {
    history: SyncHistory;
    config: Pick<RunConfig, "github" | "login" | "stateDir">;
    log: Logger;
    metrics: Pick<PrometheusMetrics, "registry">;
    clock: Clock;
    writer: StateWriter | undefined;
  },
): { stop(): Promise<void> } {
  const { history, config, log, metrics, clock } = parts;
  history.follow(events);
  const github = config.github.status;
  if (!github) return { stop: async () => undefined };
  return startCommitStatuses(events, github, {
    stateDir: config.stateDir,
    publicUrl: config.login.publicUrl,
    log,
    writer: parts.writer ?? durableStateWriter,
    count: githubStatusPostsCounter(metrics.registry),
    clock,
  });
}
