import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Metrics } from "./metrics.ts";
import { outboxMetrics } from "./outbox-metrics.ts";
import { poolGauges, type PoolGaugeSource } from "./pool-gauges.ts";

/** What the DAG gauges read at scrape time. */
export interface DagCounts {
  loaded: number;
  importErrors: number;
}

/** The recorder plus the registry `/metrics` serves. */
export interface PrometheusMetrics extends Metrics {
  readonly registry: Registry;
  /** The scrape: Prometheus text format. */
  text(): Promise<string>;
  readonly contentType: string;
}

/**
 * Metrics in a registry of their own (never prom-client's global one), so several daemons, or
 * several apps in one test process, do not share or double-register metrics.
 */
export function createPrometheusMetrics(options: {
  dags: () => DagCounts;
  /** `--pool` usage, read at scrape time (absent: no pools). */
  pools?: PoolGaugeSource;
}): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Unprefixed, as dashboards for process_* and nodejs_* metrics expect.
  collectDefaultMetrics({ register: registry });

  const syncDuration = new Histogram({
    name: "updraft_sync_duration_seconds",
    help: "Duration of sync attempts (git poll, webhook, folder reload), by result.",
    labelNames: ["result"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const syncs = new Counter({
    name: "updraft_syncs_total",
    help: "Sync attempts by result: ok (applied without import errors) or failed.",
    labelNames: ["result"] as const,
    registers,
  });
  const lastSuccess = new Gauge({
    name: "updraft_last_successful_sync_timestamp_seconds",
    help: "Unix time of the last sync that succeeded (0 before the first).",
    registers,
  });
  new Gauge({
    name: "updraft_dags_loaded",
    help: "DAGs the daemon currently schedules.",
    registers,
    collect() {
      this.set(options.dags().loaded);
    },
  });
  new Gauge({
    name: "updraft_import_errors",
    help: "Import errors in the last loaded DAG set.",
    registers,
    collect() {
      this.set(options.dags().importErrors);
    },
  });
  poolGauges(registers, options.pools ?? (() => []));
  const runs = new Counter({
    name: "updraft_runs_total",
    help: "Runs that reached a final state, by DAG and state.",
    labelNames: ["dag", "state"] as const,
    registers,
  });
  const taskInstances = new Counter({
    name: "updraft_task_instances_total",
    help: "Task instances of finished runs, by DAG and final state.",
    labelNames: ["dag", "state"] as const,
    registers,
  });
  const taskDuration = new Histogram({
    name: "updraft_task_duration_seconds",
    help: "Duration of task tries from start to end, by DAG and outcome.",
    labelNames: ["dag", "outcome"] as const,
    buckets: [0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers,
  });
  const schedulingLag = new Histogram({
    name: "updraft_scheduling_lag_seconds",
    help: "Time from a scheduled run's due time to the start of its first task.",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const missedSchedules = new Counter({
    name: "updraft_missed_schedules_total",
    help: "Scheduled runs (logical dates) not started within expectedWithin or not finished within finishWithin, by DAG.",
    labelNames: ["dag"] as const,
    registers,
  });
  const apiErrors = new Counter({
    name: "updraft_executor_api_errors_total",
    help: "Failed Kubernetes API calls of the executor (retried ones included), by verb and HTTP status.",
    labelNames: ["verb", "code"] as const,
    registers,
  });
  const unhandledRejections = new Counter({
    name: "updraft_unhandled_rejections_total",
    help: "Promise rejections nobody handled (bugs); /healthz is 503 once there is one.",
    registers,
  });
  lastSuccess.set(0);
  const outbox = outboxMetrics(registry);

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    syncFinished({ ok, durationMs, at }) {
      const result = ok ? "ok" : "failed";
      syncs.inc({ result });
      syncDuration.observe({ result }, durationMs / 1000);
      if (ok) lastSuccess.set(at.getTime() / 1000);
    },
    runFinished({ dagId, state, tasks }) {
      runs.inc({ dag: dagId, state });
      for (const task of tasks) taskInstances.inc({ dag: dagId, state: task.state });
    },
    tryFinished({ dagId, outcome, durationMs }) {
      taskDuration.observe({ dag: dagId, outcome }, durationMs / 1000);
    },
    runStarted({ lagMs }) {
      schedulingLag.observe(Math.max(0, lagMs) / 1000);
    },
    missedSchedules({ dagId, count }) {
      missedSchedules.inc({ dag: dagId }, count);
    },
    executorApiError({ verb, code }) {
      apiErrors.inc({ verb, code });
    },
    unhandledRejection() {
      unhandledRejections.inc();
    },
    ...outbox,
  };
}
