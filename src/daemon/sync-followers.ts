import type { RunConfig } from "../config/run-config.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import { startCommitStatuses } from "../github/commit-statuses.ts";
import type { Clock } from "../leader/clock.ts";
import type { Logger } from "../log/logger.ts";
import { githubStatusPostsCounter } from "../metrics/github-status-metrics.ts";
import type { PrometheusMetrics } from "../metrics/prometheus-metrics.ts";
import { durableStateWriter, type StateWriter } from "../store/durable-write.ts";
import { SyncHistory } from "../sync/sync-history.ts";

/** Who hears of each sync: the history (API, page, log) and, with --github-status, GitHub. */
export function followSyncs(
  events: DaemonEventBus,
  parts: {
    config: Pick<RunConfig, "github" | "login" | "stateDir">;
    log: Logger;
    metrics: Pick<PrometheusMetrics, "registry">;
    clock: Clock;
    writer: StateWriter | undefined;
  },
): { history: SyncHistory; stop(): Promise<void> } {
  const { config, log, metrics, clock } = parts;
  const history = new SyncHistory(log);
  history.follow(events);
  const github = config.github.status;
  if (!github) return { history, stop: async () => undefined };
  const statuses = startCommitStatuses(events, github, {
    stateDir: config.stateDir,
    publicUrl: config.login.publicUrl,
    log,
    writer: parts.writer ?? durableStateWriter,
    count: githubStatusPostsCounter(metrics.registry),
    clock,
  });
  return { history, stop: () => statuses.stop() };
}
