import type { RunConfig } from "../config/run-config.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Clock } from "../leader/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { LogOpener } from "../logs/log-handle.ts";
import { s3LogObjects } from "../logs/s3-log-objects.ts";
import { TaskLogStore } from "../logs/task-log-store.ts";
import { logUploadMetrics } from "../metrics/log-upload-metrics.ts";
import type { PrometheusMetrics } from "../metrics/prometheus-metrics.ts";
import type { TryFileKey } from "../runs/try-files.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { whenLeading } from "./when-leading.ts";

/**
 * The log store as the daemon wires it; without `--log-store` it does nothing. `start` runs once
 * the daemon holds its state dir (after the lock: one daemon sweeps a logs folder), `stop` drains.
 */
export interface DaemonLogStore {
  /** For the HTTP layer: read a try's log from the local file, else the store; undefined: local only. */
  tryLog: ((file: string, key: TryFileKey) => LogOpener) | undefined;
  start(): void;
  stop(): Promise<void>;
}

const LOCAL_ONLY: DaemonLogStore = { tryLog: undefined, start() {}, stop: () => Promise.resolve() };

/**
 * `--log-store`: the task log store, fed by the try and run events (a try's log is complete when
 * its try ends), with its metrics.
 */
export function createLogStore(
  config: Readonly<RunConfig>,
  deps: {
    logsDir: string;
    env: Readonly<Record<string, string | undefined>>;
    mask: SecretMask;
    log: Logger;
    metrics: PrometheusMetrics;
    events: DaemonEventBus;
    tryIsActive(key: TryFileKey): boolean;
    clock: Clock;
  },
): DaemonLogStore {
  const settings = config.logStore;
  if (!settings) return LOCAL_ONLY;
  const objects = s3LogObjects(
    {
      bucket: settings.location.bucket,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      region: settings.region,
    },
    deps.env,
  );
  const store: TaskLogStore = new TaskLogStore({
    logsDir: deps.logsDir,
    prefix: settings.location.prefix,
    objects,
    mask: deps.mask,
    keepLocalMs: settings.keepLocalMs,
    tryIsActive: deps.tryIsActive,
    log: deps.log,
    onAttempt: (result) => metrics.uploadAttempt(result),
    now: deps.clock.now,
  });
  const metrics = logUploadMetrics(deps.metrics.registry, () => store.pending);
  const ended = (dagId: string, runId: string, task: { id: string; try: number }) => {
    if (task.try >= 1) store.tryEnded({ dagId, runId, taskId: task.id, try: task.try });
  };
  deps.events.on("try:finished", ({ run, task }) => ended(run.dagId, run.id, task));
  // Tries ended with their whole run (stopped, replaced) are reported only here; the rest are no-ops.
  deps.events.on("run:finished", ({ run }) => {
    for (const task of run.tasks) ended(run.dagId, run.id, task);
  });
  return {
    tryLog: (file, key) => store.opener(file, key),
    start: whenLeading(deps.events, config.leaderElection.enabled, () => store.start()),
    stop: () => store.stop(),
  };
}
