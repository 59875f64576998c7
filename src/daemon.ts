import type { AddressInfo } from "node:net";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { RunConfig } from "./config/run-config.ts";
import { DagRegistry } from "./dags/dag-registry.ts";
import { LoaderPool } from "./dags/loader/loader-pool.ts";
import { createDaemonEvents } from "./events/daemon-events.ts";
import type { Executor, TaskKey } from "./executor/executor.ts";
import { createKubeApi } from "./kubernetes/kube-api.ts";
import { loadKubeAccess } from "./kubernetes/kube-config.ts";
import { KubernetesExecutor } from "./kubernetes/kubernetes-executor.ts";
import { LocalExecutor } from "./executor/local-executor.ts";
import { withMaskedEvents } from "./executor/masked-events.ts";
import { Heartbeat } from "./health/heartbeat.ts";
import { UnhandledRejections } from "./health/unhandled-rejections.ts";
import { createClusterElector } from "./kubernetes/cluster-elector.ts";
import { LeaderRole } from "./leader/leader-role.ts";
import type { Logger } from "./log/logger.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { createPrometheusMetrics } from "./metrics/prometheus-metrics.ts";
import { recordRunMetrics } from "./metrics/run-metrics.ts";
import { FailureNotifier, notifyFailures } from "./scheduler/failure-notifier.ts";
import { logRunEvents } from "./scheduler/run-log.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { createApp } from "./server/app.ts";
import { apiLinks } from "./server/routes/api-links.ts";
import type { HealthReport } from "./server/app-deps.ts";
import { runSecretMask } from "./config/run-secrets.ts";
import type { SecretMask } from "./secrets/secret-mask.ts";
import { ensurePrivateDir, type StateWriter } from "./store/durable-write.ts";
import { RunStore } from "./store/run-store.ts";
import { StateDirLock } from "./store/state-dir-lock.ts";
import { splitCredentials } from "./sync/credentials.ts";
import { FolderSync } from "./sync/folder-sync.ts";
import { GitMirror } from "./sync/git-mirror.ts";
import { GitSync } from "./sync/git-sync.ts";
import type { DagSource, SyncRecord } from "./sync/sync-status.ts";
import { VERSION } from "./version.ts";

const SYNC_HISTORY = 200;
const LOOP_BEAT_MS = 1000;

export interface Daemon {
  readonly app: Hono;
  readonly registry: DagRegistry;
  readonly source: DagSource;
  readonly scheduler: Scheduler;
  readonly store: RunStore;
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

/** Side effects a test replaces. */
export interface DaemonPorts {
  /** How state files reach the disk (default: temp file, fsync, rename, fsync the folder). */
  stateWriter?: StateWriter;
}

/** The composition root: wires config to the loader, the DAG source, the registry and the HTTP server. */
export function createDaemon(
  config: Readonly<RunConfig>,
  log: Logger,
  hooks: DaemonHooks = {},
  ports: DaemonPorts = {},
): Daemon {
  // DAG code and tasks can read the daemon's environment: whatever they report is masked.
  const mask = runSecretMask(config);
  const registry = new DagRegistry(mask);
  const metrics = createPrometheusMetrics({
    dags: () => ({ loaded: registry.all().length, importErrors: registry.importErrors().length }),
  });
  const logsDir = path.join(config.stateDir, "logs");
  const store = new RunStore(config.stateDir, {
    keepRuns: config.keepRuns,
    logsDir,
    ...(ports.stateWriter ? { writer: ports.stateWriter } : {}),
  });
  let address: AddressInfo | undefined;
  const url = () =>
    address
      ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
      : "";
  const credentials =
    config.source.kind === "git" ? splitCredentials(config.source.repo, config.gitToken) : undefined;
  const rejections = new UnhandledRejections(log, () => metrics.unhandledRejection());
  const executor = createExecutor(config, log, metrics, mask, (key) => {
    const run = store.state.runs[key.runId];
    const task = run?.tasks.find((t) => t.id === key.taskId);
    return (
      task !== undefined && task.try === key.try && (task.state === "queued" || task.state === "running")
    );
  });
  const schedulerBeat = new Heartbeat("the scheduler loop", 30_000);
  const events = createDaemonEvents((err, event) => log.error({ err, event }, "event listener failed"));
  const scheduler = new Scheduler({
    store,
    registry,
    executor: withMaskedEvents(executor, mask),
    logsDir,
    log,
    heartbeat: schedulerBeat,
    events,
    maxQueuedRuns: config.limits.maxQueuedRuns,
  });
  recordRunMetrics(events, metrics);
  logRunEvents(events, log);
  notifyFailures(events, new FailureNotifier(log), {
    notifyUrl: config.notifyUrl,
    links: apiLinks(url),
    definitionOf: (run) => scheduler.definitionOf(run),
  });
  const pool = new LoaderPool(config.loader, { prewarm: true });
  const history: SyncRecord[] = [];
  const onSync = (record: SyncRecord) => {
    history.push(record);
    if (history.length > SYNC_HISTORY) history.shift();
    const fields = {
      sha: record.sha,
      previousSha: record.previousSha,
      durationMs: record.durationMs,
      changes: record.changes,
    };
    if (record.ok) log.info(fields, "sync applied");
    else log.warn({ ...fields, error: record.error }, "sync failed");
  };
  let gitSync: GitSync | undefined;
  let source: DagSource;
  if (config.source.kind === "git" && credentials) {
    gitSync = new GitSync({
      mirror: new GitMirror({
        url: credentials.url,
        dir: path.join(config.stateDir, "git"),
        username: credentials.username,
        token: credentials.token,
      }),
      pool,
      registry,
      repo: credentials.url,
      branch: config.source.branch,
      dagsDir: config.source.dagsDir,
      snapshotsDir: path.join(config.stateDir, "snapshots"),
      intervalMs: config.intervalMs,
      mask,
      retainedCommits: () => scheduler.commitsInUse(),
      onSync,
      metrics,
    });
    source = gitSync;
  } else {
    source = new FolderSync({
      dir: config.source.kind === "folder" ? config.source.dir : ".",
      pool,
      registry,
      onSync,
      metrics,
    });
  }
  const loop = new Heartbeat("the daemon's event loop", 10_000);
  let schedulerStarted = false;
  let sourceStarted = false;
  const startSource = async () => {
    if (sourceStarted || stopping) return;
    sourceStarted = true;
    await source.start();
  };
  // Only the replica holding the Lease schedules; standbys serve read-only. A standby syncs only a
  // local folder: a git mirror and its snapshots live in the state dir, which replicas may share.
  const role = new LeaderRole({
    ...(config.leaderElection.enabled
      ? { elect: (onEvent) => createClusterElector(config.leaderElection, process.env, onEvent) }
      : {}),
    log,
    loadState: (owner) => store.load({ owner }),
    claimState: () => claimStateDir(),
    startLeading: async () => {
      await scheduler.start();
      schedulerStarted = true;
      await startSource();
    },
    stopLeading: async () => {
      schedulerStarted = false;
      await scheduler.stop();
      // No sweeps or queued pod creates either: the next leader's pods are not ours to judge.
      await executor.close();
    },
    onLost: (reason) => hooks.onLeadershipLost?.(reason),
    refreshMs: config.intervalMs,
  });
  // One daemon per state dir; under leader election only the leader holds it (standbys share it).
  let lock: StateDirLock | undefined;
  const claimStateDir = async () => {
    const { lease, identity } = role.logFields();
    lock ??= new StateDirLock(config.stateDir, { lease, identity });
    const { tookOverFrom } = await lock.acquire();
    if (tookOverFrom)
      log.warn(
        { lock: lock.file, holder: tookOverFrom },
        "took over the state dir lock of a daemon that is gone",
      );
  };
  const health = (): HealthReport => {
    const problems: Record<string, string | undefined> = {
      loop: loop.stalledFor(),
      scheduler: schedulerStarted ? schedulerBeat.stalledFor() : undefined,
      store: store.writeError ? `the state store cannot write: ${store.writeError.message}` : undefined,
      unhandled: rejections.problem(),
    };
    const checks = Object.fromEntries(
      Object.entries(problems).map(([name, detail]) => [name, detail ? { ok: false, detail } : { ok: true }]),
    );
    const leader = role.view();
    if (!leader.isLeader)
      checks.scheduler = { ok: true, detail: `standby: ${leader.holder ?? "no replica"} leads` };
    const reason = Object.values(problems).find(Boolean);
    return { ok: !reason, ...(reason ? { reason } : {}), checks };
  };
  const app = createApp({
    registry,
    source,
    scheduler,
    store,
    syncHistory: () => history,
    health,
    auth: {
      apiToken: config.apiToken,
      readToken: config.readToken,
      listensOnLoopback: isLoopback(config.host),
    },
    webhookSecret: config.webhookSecret,
    followedBranch: () => gitSync?.branch,
    version: VERSION,
    leadership: () => role.view(),
    metrics,
    log,
    mask,
    maxConfBytes: config.limits.maxConfBytes,
    spoolDir: path.join(config.stateDir, "tmp"),
  });
  let server: ServerType | undefined;
  let beat: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  return {
    app,
    registry,
    source,
    scheduler,
    store,
    url,
    unhandledRejection: (reason) => rejections.record(reason),
    async start() {
      await ensurePrivateDir(config.stateDir);
      // Before the store loads: a second daemon stops here (StateDirLockedError), naming the holder.
      if (!config.leaderElection.enabled) await claimStateDir();
      // A corrupt state file stops start-up here, before anything could overwrite it. Under leader
      // election this replica does not own the state dir until it leads (it reads it again then).
      await store.load({ owner: !config.leaderElection.enabled });
      pool.warm();
      beat = setInterval(() => loop.beat(), LOOP_BEAT_MS);
      await new Promise<void>((resolve, reject) => {
        server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
          address = info;
          resolve();
        });
        server.once("error", reject);
      });
      log.info(
        { url: url(), source: source.status().repo, mode: source.status().mode, ...role.logFields() },
        "updraft listening",
      );
      // A stop that came during start-up wins: nothing starts behind its back.
      if (stopping) {
        server?.close();
        return;
      }
      await role.start();
      if (config.source.kind === "folder") await startSource();
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(beat);
        // A first clone from a slow remote would hold up halt() (it waits for the leader's start).
        gitSync?.abort();
        await role.halt();
        // Scheduling stops first: the step under way finishes and is persisted, nothing new starts.
        await scheduler.stop();
        await source.stop();
        // Running tasks keep running (watches close): a restarted daemon or the next leader adopts them.
        await executor.close();
        // Released once nothing schedules here, so a standby takes over without waiting for expiry.
        await role.release();
        await lock?.release();
        await pool.close();
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      })();
      return stopping;
    },
  };
}

/** The executor `--executor` names; only this function knows the concrete executors. */
function createExecutor(
  config: Readonly<RunConfig>,
  log: Logger,
  metrics: Metrics,
  mask: SecretMask,
  tryIsActive: (key: TaskKey) => boolean,
): Executor {
  if (config.executor === "local") return new LocalExecutor({ mask, log });
  const access = loadKubeAccess(process.env, config.namespace);
  return new KubernetesExecutor({
    api: createKubeApi(access.config, { metrics }),
    defaultNamespace: access.namespace,
    tryIsActive,
    log,
    mask,
  });
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
