import path from "node:path";
import type { UpdraftApp } from "./server/app.ts";
import type { RunConfig } from "./config/run-config.ts";
import { runSecretMask } from "./config/run-secrets.ts";
import { createDagSource } from "./daemon/dag-source.ts";
import { DaemonLifecycle } from "./daemon/daemon-lifecycle.ts";
import { createExecutor } from "./daemon/executor-factory.ts";
import { HttpListener } from "./daemon/http-listener.ts";
import { LeaderDuties } from "./daemon/leader-duties.ts";
import { createLogStore } from "./daemon/log-store-setup.ts";
import { createLeadership } from "./daemon/leadership.ts";
import { serverSettings } from "./daemon/server-settings.ts";
import { DagRegistry } from "./dags/dag-registry.ts";
import { LoaderPool } from "./dags/loader/loader-pool.ts";
import { readPodTemplate } from "./kubernetes/pod-template.ts";
import { taskPodCheck } from "./kubernetes/task-pod-check.ts";
import type { TaskKey } from "./executor/executor.ts";
import { createDaemonEvents, type DaemonEventBus } from "./events/daemon-events.ts";
import { withMaskedEvents } from "./executor/masked-events.ts";
import { healthReport } from "./health/health-report.ts";
import { Heartbeat } from "./health/heartbeat.ts";
import { UnhandledRejections } from "./health/unhandled-rejections.ts";
import type { Clock } from "./leader/clock.ts";
import type { Logger } from "./log/logger.ts";
import { createPrometheusMetrics } from "./metrics/prometheus-metrics.ts";
import { RequestLimiter } from "./kubernetes/request-limiter.ts";
import { isActiveTry } from "./runs/active-try.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { createApp } from "./server/app.ts";
import type { StateWriter } from "./store/durable-write.ts";
import { followRuns } from "./daemon/run-event-subscribers.ts";
import { followSyncs } from "./daemon/sync-followers.ts";
import { RunStore } from "./store/run-store.ts";
import type { DagSource } from "./sync/sync-status.ts";
import { VERSION } from "./version.ts";

export interface Daemon {
  readonly app: UpdraftApp;
  readonly registry: DagRegistry;
  readonly source: DagSource;
  readonly scheduler: Scheduler;
  readonly store: RunStore;
  /** What the daemon reports (syncs, run and try transitions, leadership); tests wait on it. */
  readonly events: DaemonEventBus;
  /** Where the HTTP server listens (after start). */
  url(): string;
  start(): Promise<void>;
  /** Stops syncing and serving; safe to call more than once. */
  stop(): Promise<void>;
  /** The last-resort handler's sink (`process.on("unhandledRejection")`, see cli.ts). */
  unhandledRejection(reason: unknown): void;
}

export interface DaemonHooks {
  /** Leader election ended this replica's leadership; scheduling has stopped (the CLI exits). */
  onLeadershipLost?: (reason: string) => void;
}

/** What the daemon takes from the world around it; the CLI passes the real ones, tests their own. */
export interface DaemonPorts {
  /** The environment the daemon runs in (the CLI passes its own): where the cluster is, the Pod's name. */
  env: Readonly<Record<string, string | undefined>>;
  /** The time: run stamps, heartbeats, the Lease (the CLI passes the system clock). */
  clock: Clock;
  /** How state files reach the disk (default: temp file, fsync, rename, fsync the folder). */
  stateWriter?: StateWriter;
}

/** The composition root: builds each part of the daemon from the config and wires them together. */
export function createDaemon(
  config: Readonly<RunConfig>,
  log: Logger,
  hooks: DaemonHooks,
  ports: DaemonPorts,
): Daemon {
  const { env, clock, stateWriter: writer } = ports;
  // DAG code and tasks can read the daemon's environment: whatever they report is masked.
  const mask = runSecretMask(config);
  const registry = new DagRegistry(mask);
  const metrics = createPrometheusMetrics({ dags: () => registry.counts(), pools: () => scheduler.pools() });
  const logsDir = path.join(config.stateDir, "logs");
  const store = new RunStore(config.stateDir, { keepRuns: config.keepRuns, logsDir, writer });
  const http = new HttpListener();
  const rejections = new UnhandledRejections(log, () => metrics.unhandledRejection());
  const tryIsActive = (key: TaskKey) => isActiveTry(store.state.runs, key);
  // Read before anything starts: a bad --pod-template stops start-up (exit 1) naming file and line.
  const podTemplate = config.podTemplate === undefined ? undefined : readPodTemplate(config.podTemplate);
  // One API server request budget (--kube-qps, --kube-burst) for the executor and the Lease.
  const kube = { kubeRequests: new RequestLimiter(config.kubeRate, clock) };
  const executor = createExecutor(config, { env, log, metrics, mask, tryIsActive, podTemplate, ...kube });
  const schedulerBeat = new Heartbeat("the scheduler loop", 30_000, clock.now);
  const events = createDaemonEvents((err, event) => log.error({ err, event }, "event listener failed"));
  const scheduler = new Scheduler({
    store,
    registry,
    executor: withMaskedEvents(executor, mask),
    logsDir,
    log,
    heartbeat: schedulerBeat,
    events,
    now: () => new Date(clock.now()),
    maxQueuedRuns: config.limits.maxQueuedRuns,
    pools: config.pools,
  });
  const logs = createLogStore(config, { logsDir, env, mask, log, metrics, events, tryIsActive, clock });
  const checkResult = taskPodCheck({ template: podTemplate, namespace: config.namespace ?? "default" });
  const pool = new LoaderPool(config.loader, { prewarm: true, checkResult });
  const syncFollowers = followSyncs(events, { config, log, metrics, clock, writer });
  const sync = createDagSource(config, { pool, registry, mask, metrics, events, scheduler });
  const notify = followRuns(events, { config, log, metrics, mask, clock, http, sync, scheduler, store });
  const duties = new LeaderDuties({ scheduler, source: sync.source, executor, store });
  const onLost = (reason: string) => hooks.onLeadershipLost?.(reason);
  const leadership = createLeadership(config, { env, clock, log, store, duties, onLost, events, ...kube });
  const leader = leadership.role;
  const loop = new Heartbeat("the daemon's event loop", 10_000, clock.now);
  const server = serverSettings(config, { mask, log, version: VERSION });
  const { audit } = server;
  const app = createApp({
    registry,
    source: sync.source,
    scheduler,
    store,
    syncHistory: () => syncFollowers.history.list(),
    health: () => healthReport({ loop, scheduler: schedulerBeat, duties, store, rejections, leader, audit }),
    followedBranch: sync.followedBranch,
    version: VERSION,
    leadership: () => leader.view(),
    metrics,
    log,
    mask,
    tryLog: logs.tryLog,
    notifications: notify.outbox,
    ...server,
  });
  const held = [logs, notify];
  const life = new DaemonLifecycle({ config, log, app, http, leadership, duties, pool, loop, sync, held });
  return {
    app,
    registry,
    source: sync.source,
    scheduler,
    store,
    events,
    url: http.url,
    unhandledRejection: (reason) => rejections.record(reason),
    start: () => life.start(),
    stop: () => life.stop().finally(() => Promise.all([audit.close(), syncFollowers.stop()])),
  };
}
