import type { RunConfig } from "../config/run-config.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Logger } from "../log/logger.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { recordRunMetrics } from "../metrics/run-metrics.ts";
import { FailureNotifier, notifyFailures } from "../scheduler/failure-notifier.ts";
import { notifyMissedSchedules } from "../scheduler/missed-schedule-notifier.ts";
import { logRunEvents } from "../scheduler/run-log.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import { apiLinks } from "../server/routes/api-links.ts";

/** What listens to run and try transitions: metrics, the log, failure and missed-schedule notifications. */
export function subscribeToRunEvents(
  events: DaemonEventBus,
  parts: {
    config: Readonly<RunConfig>;
    log: Logger;
    metrics: Metrics;
    scheduler: Pick<Scheduler, "definitionOf">;
    baseUrl: () => string;
  },
): void {
  recordRunMetrics(events, parts.metrics);
  logRunEvents(events, parts.log);
  const notifier = new FailureNotifier(parts.log);
  notifyFailures(events, notifier, {
    notifyUrl: parts.config.notifyUrl,
    links: apiLinks(parts.baseUrl),
    definitionOf: (run) => parts.scheduler.definitionOf(run),
  });
  notifyMissedSchedules(events, notifier, { notifyUrl: parts.config.notifyUrl });
}
