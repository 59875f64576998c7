import type { DagRegistry } from "../dags/dag-registry.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import type { Executor } from "../executor/executor.ts";
import type { Heartbeat } from "../health/heartbeat.ts";
import type { Logger } from "../log/logger.ts";
import type { RunStore } from "../store/run-store.ts";
import type { TickContext } from "./plan-tick.ts";
import type { StepEffects } from "./step-effects.ts";

/** What a request run through `Scheduler.serially` may use: the options, the effects, the planning context, the time. */
export interface SchedulerParts extends Omit<SchedulerOptions, "now"> {
  effects: StepEffects;
  context: TickContext;
  /** The time the request is carried out. */
  now: Date;
}

export interface SchedulerOptions {
  store: RunStore;
  registry: DagRegistry;
  executor: Executor;
  logsDir: string;
  log: Logger;
  heartbeat: Heartbeat;
  /** Where run and try transitions are reported: metrics, the log and notifications subscribe. */
  events: DaemonEventBus;
  now?: () => Date;
  catchupBound?: number;
  /** The loop wakes at least this often, which is what the heartbeat measures. */
  maxSleepMs?: number;
  /** `--max-queued-runs`: a manual trigger over it is refused (default 100). */
  maxQueuedRuns?: number;
  /** `--pool NAME=N`: slots per pool, shared by every DAG (see pool-gate.ts). */
  pools?: ReadonlyMap<string, number>;
}
