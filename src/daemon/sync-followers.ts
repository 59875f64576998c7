import type { RunConfig } from "../config/run-config.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import { startCommitStatuses } from "../github/commit-statuses.ts";
import type { Clock } from "../leader/clock.ts";
import type { Logger } from "../log/logger.ts";
import { githubStatusPostsCounter } from "../metrics/github-status-metrics.ts";
import type { PrometheusMetrics } from "../metrics/prometheus-metrics.ts";
import { durableStateWriter, type StateWriter } from "../store/durable-write.ts";
import { SYNC_HISTORY_KEPT, SyncHistory } from "../sync/sync-history.ts";
import { SyncHistoryFile } from "../sync/sync-history-file.ts";

/**
 * Who hears of each sync: the history (API, page, log; its newest records kept in the state dir)
 * and, with --github-status, GitHub.
 */
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
  const file = new SyncHistoryFile(config.stateDir, parts.writer ?? durableStateWriter, log);
  const history = new SyncHistory(log, SYNC_HISTORY_KEPT, (records) => void file.save(records));
  history.restore(file.read());
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
