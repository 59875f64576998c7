import path from "node:path";
import type { RunConfig } from "../config/run-config.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Logger } from "../log/logger.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { recordRunMetrics } from "../metrics/run-metrics.ts";
import { createChannelSender } from "../notify/channels/channel-sender.ts";
import { channelOf, type OutboxView } from "../notify/notification.ts";
import { notifyOnEvents } from "../notify/notify-events.ts";
import { createOutbox } from "../notify/outbox/outbox.ts";
import { logRunEvents } from "../scheduler/run-log.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { RunStore } from "../store/run-store.ts";
import { pageLinks } from "../server/page/page-links.ts";
import type { Clock } from "../leader/clock.ts";
import type { ChosenSource } from "./dag-source.ts";
import type { HttpListener } from "./http-listener.ts";

/** After a restart, runs that ended this recently are told again if their messages never reached the outbox. */
const CATCH_UP_MS = 15 * 60_000;
const CATCH_UP_RUNS = 1000;

/** What runs only while the state dir is held: the outbox (`<state-dir>/outbox`) delivering. */
export interface Notifications {
  outbox: OutboxView;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What listens to run, try and sync events: metrics, the log, and notifications through the
 * outbox (failures, retries, successes, missed schedules, commits that fail to load).
 */
export function followRuns(
  events: DaemonEventBus,
  parts: {
    config: Readonly<RunConfig>;
    log: Logger;
    metrics: Metrics;
    mask: SecretMask;
    scheduler: Pick<Scheduler, "definitionOf" | "logFile">;
    clock: Clock;
    /** Where the daemon listens: links use `--public-url`, else its URL. */
    http: Pick<HttpListener, "url">;
    /** The author email of a commit (git mode), for `--notify-commit-author`. */
    sync: Pick<ChosenSource, "authorEmail">;
    /** The runs a restart looks through for messages a crash kept from the outbox. */
    store: Pick<RunStore, "recentRuns">;
  },
): Notifications {
  const { config, log, scheduler, mask } = parts;
  recordRunMetrics(events, parts.metrics);
  logRunEvents(events, log);
  const { smtpUrl, mailFrom } = config.notify;
  const publicUrl = () => config.login.publicUrl ?? parts.http.url();
  const sender = createChannelSender({ smtpUrl, mailFrom, publicUrl: config.login.publicUrl });
  const outboxDir = path.join(config.stateDir, "outbox");
  const outbox = createOutbox({
    dir: outboxDir,
    sender,
    log,
    metrics: parts.metrics,
    burstWindowMs: config.notify.digestWindowMs,
    // What the catch-up below may tell again must still be known as sent.
    keepDeliveredMs: CATCH_UP_MS,
  });
  const notifying = notifyOnEvents(events, {
    sink: outbox,
    daemon: { ...config.notify, defaults: config.notify.defaults.map(channelOf) },
    links: pageLinks(publicUrl),
    mask,
    log,
    definitionOf: (run) => scheduler.definitionOf(run),
    logFile: (run, taskId, tryNumber) => scheduler.logFile(run, taskId, tryNumber),
    authorEmail: (sha) => parts.sync.authorEmail(sha),
    now: () => new Date(parts.clock.now()),
  });
  // Under leader election replicas may share the state dir: only the leader delivers (a standby
  // sending the leader's pending messages would send them twice), like the scheduler.
  let started = false;
  let leading = !config.leaderElection.enabled;
  // An outbox folder the daemon cannot use must not stop scheduling: it is logged, naming the fix.
  // After a start, runs that ended lately are told again (the outbox drops what it has): their
  // channels come from their DAG's definition, known once the DAGs are loaded.
  let loaded = false;
  let catchUpDue = false;
  const catchUp = () => {
    catchUpDue = false;
    notifying.catchUp(parts.store.recentRuns(CATCH_UP_RUNS), parts.clock.now() - CATCH_UP_MS);
  };
  const onLoaded = () => {
    loaded = true;
    if (catchUpDue) catchUp();
  };
  events.on("sync:applied", onLoaded);
  events.on("sync:failed", onLoaded);
  const deliver = () =>
    outbox
      .start()
      .then(() => (loaded ? catchUp() : (catchUpDue = true)))
      .catch((error: unknown) =>
        log.error(
          { err: error, dir: outboxDir },
          `outbox: cannot use ${outboxDir} (${(error as Error).message}); notifications are not sent until it is a folder the daemon's user can write and the daemon restarts`,
        ),
      );
  events.on("leadership:changed", (view) => {
    if (!config.leaderElection.enabled || view.isLeader === leading) return;
    leading = view.isLeader;
    if (leading && started) void deliver();
    else if (!leading) void outbox.stop();
  });
  return {
    outbox,
    async start() {
      started = true;
      if (leading) await deliver();
    },
    async stop() {
      started = false;
      // What is being enqueued reaches the outbox before it stops; it is sent after the next start.
      await notifying.settled();
      await outbox.stop();
      sender.close();
    },
  };
}
