import { randomBytes } from "node:crypto";
import type { DagRegistry } from "../dags/dag-registry.ts";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { Executor, ExecutorEvent, TaskKey } from "../executor/executor.ts";
import { keyString } from "../executor/executor.ts";
import type { Heartbeat } from "../health/heartbeat.ts";
import type { Logger } from "../log/logger.ts";
import { type Metrics, noMetrics } from "../metrics/metrics.ts";
import { idRecord } from "../store/id-record.ts";
import type { ActiveState, DagState } from "../runs/active-state.ts";
import type { RunStore } from "../store/run-store.ts";
import type { FailureNotifier } from "./failure-notifier.ts";
import { scheduleTimes } from "./next-run.ts";
import { isTerminal, type Run, type TaskInstance } from "../runs/run-model.ts";
import {
  DEFAULT_CATCHUP_BOUND,
  initialDagState,
  manualRunId,
  newRun,
  planScheduledRuns,
  scheduledRunId,
} from "./run-planner.ts";
import { advanceRun, clearTask, finishTry } from "./run-progress.ts";
import { refuseOverQueueCap } from "./queue-cap.ts";
import { renderTaskTemplates } from "./templating.ts";
import { tryLogFile } from "../runs/try-files.ts";

export interface SchedulerOptions {
  store: RunStore;
  registry: DagRegistry;
  executor: Executor;
  logsDir: string;
  log: Logger;
  heartbeat: Heartbeat;
  notifier: FailureNotifier;
  /** `--notify-url`: receives every final task failure, besides a DAG's own onFailure. */
  notifyUrl?: string | undefined;
  /** Base URL for links in notifications. */
  publicUrl: () => string;
  now?: () => Date;
  catchupBound?: number;
  /** The loop wakes at least this often, which is what the heartbeat measures. */
  maxSleepMs?: number;
  /** Final states, try durations and scheduling lag; nothing is recorded without it. */
  metrics?: Metrics;
  /** `--max-queued-runs`: a manual trigger over it is refused (default 100). */
  maxQueuedRuns?: number;
}

/** A scheduler request that cannot be done; `code` says why (the HTTP layer maps it). */
export class SchedulerError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "bad_request" | "too_many_queued_runs",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Creates runs when they are due, starts their tasks in dependency order, retries, times out and
 * finishes them. Event-driven: it sleeps until the next due time or retry (at most maxSleepMs) and
 * wakes at once on executor events, syncs and API calls. Every change is stored before it is acted
 * on, and all work is serialised, so state never races with itself.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #now: () => Date;
  readonly #metrics: Metrics;
  readonly #timeouts = new Map<string, NodeJS.Timeout>();
  #serial: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #unsubscribe: Array<() => void> = [];
  readonly #due = new Map<string, { signature: string; times: number[] }>();
  readonly #inbox: ExecutorEvent[] = [];
  #inboxQueued = false;
  /** Steps failed in a row (the state store could not write, say): the retry backs off. */
  #failures = 0;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#metrics = options.metrics ?? noMetrics;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#unsubscribe = [
      this.#o.executor.subscribe((event) => this.#receive(event)),
      this.#o.registry.onChange(() => this.wake()),
    ];
    await this.#enqueue(() => this.#recover());
    this.wake();
  }

  /** Stops the loop after the work under way; running tasks keep running (a restart adopts them). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const timer of this.#timeouts.values()) clearTimeout(timer);
    this.#timeouts.clear();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await this.#serial.catch(() => undefined);
  }

  /** Runs a tick soon (after what is queued). */
  wake(): void {
    if (!this.#stopped) void this.#enqueue(() => this.#tick());
  }

  async trigger(dagId: string, conf: Record<string, unknown>): Promise<Run> {
    return this.#enqueue(async () => {
      const dag = this.#o.registry.get(dagId);
      if (!dag) throw new SchedulerError("not_found", `no DAG with id "${dagId}"`);
      refuseOverQueueCap(this.#o.store.activeRuns(), dagId, this.#o.maxQueuedRuns);
      const now = this.#now();
      const run = newRun(dag.definition, {
        id: manualRunId(dagId, now, randomBytes(3).toString("hex")),
        trigger: "manual",
        logicalDate: now,
        conf,
        commit: dag.commit,
        snapshot: dag.snapshot,
        now,
      });
      await this.#o.store.update((state) => {
        state.dags[dagId] ??= initialDagState(dag.definition, now);
        this.#o.store.addRun(state, run);
      });
      this.wake();
      return run;
    });
  }

  async setPaused(dagId: string, paused: boolean): Promise<void> {
    await this.#enqueue(async () => {
      const dag = this.#o.registry.get(dagId);
      if (!dag) throw new SchedulerError("not_found", `no DAG with id "${dagId}"`);
      await this.#o.store.update((state) => {
        state.dags[dagId] = {
          ...(state.dags[dagId] ?? initialDagState(dag.definition, this.#now())),
          paused,
        };
      });
      this.wake();
    });
  }

  isPaused(dagId: string): boolean {
    const state = this.#o.store.dag(dagId);
    return state ? state.paused : (this.#o.registry.get(dagId)?.definition.pausedOnCreation ?? false);
  }

  /** Runs a task again, and everything downstream of it. */
  async clear(runId: string, taskId: string): Promise<Run> {
    return this.#enqueue(async () => {
      const run = this.#o.store.getRun(runId);
      if (!run) throw new SchedulerError("not_found", `no run with id "${runId}"`);
      const instance = run.tasks.find((task) => task.id === taskId);
      if (!instance) throw new SchedulerError("not_found", `run "${runId}" has no task "${taskId}"`);
      if (!isTerminal(instance.state) && instance.state !== "up_for_retry") {
        throw new SchedulerError(
          "conflict",
          `task "${taskId}" is ${instance.state}; only a finished task can be cleared`,
        );
      }
      const definition = this.#definitionOf(run);
      if (!definition)
        throw new SchedulerError(
          "conflict",
          `DAG "${run.dagId}" is no longer defined; its runs cannot be cleared`,
        );
      const active = this.#o.store.state.runs[runId] !== undefined;
      const copy: Run = active ? run : { ...structuredClone(run), definition };
      const cleared = (target: Run) => clearTask(target, definition.tasks, taskId);
      if (active) await this.#o.store.update(() => void cleared(copy));
      else {
        cleared(copy);
        await this.#o.store.reactivate(copy);
      }
      this.wake();
      return copy;
    });
  }

  /** Commits whose snapshots active runs still use. */
  commitsInUse(): string[] {
    return this.#o.store.activeRuns().flatMap((run) => (run.commit ? [run.commit] : []));
  }

  /** Throws UnsafeTryPathError for ids that would leave the logs folder (see try-files.ts). */
  logFile(run: Pick<Run, "dagId" | "id">, taskId: string, tryNumber: number): string {
    return tryLogFile(this.#o.logsDir, { dagId: run.dagId, runId: run.id, taskId, try: tryNumber });
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(work, work);
    this.#serial = next.catch((error: unknown) => {
      if (error instanceof SchedulerError) return;
      this.#o.log.error({ err: error }, "scheduler step failed");
      this.#retrySoon();
    });
    return next;
  }

  /** After a restart: tries that were queued or running are started again, which adopts or reports them. */
  async #recover(): Promise<void> {
    for (const run of this.#o.store.activeRuns()) {
      for (const instance of run.tasks) {
        if (instance.state === "queued" || instance.state === "running") await this.#launch(run, instance);
      }
    }
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const now = this.#now();
    this.#o.heartbeat.beat();
    const { store, registry } = this.#o;
    const toCancel: TaskKey[] = [];
    const plan = (state: ActiveState) => {
      const activeByDag = new Map<string, Run[]>();
      for (const run of Object.values(state.runs))
        activeByDag.set(run.dagId, [...(activeByDag.get(run.dagId) ?? []), run]);
      for (const dag of registry.all()) {
        const id = dag.definition.id;
        const dagState = state.dags[id] ?? initialDagState(dag.definition, now);
        state.dags[id] = dagState;
        const due = this.#dueTimes(dag.definition, dagState);
        const first = due[0];
        if (first === undefined || first > now.getTime()) continue;
        // One interval due (the common case): the cached times say so without a cron walk.
        const single = dagState.lastScheduledAt !== null && (due[1] === undefined || due[1] > now.getTime());
        const plan = planScheduledRuns(
          dag.definition,
          dagState,
          activeByDag.get(id) ?? [],
          now,
          this.#o.catchupBound ?? DEFAULT_CATCHUP_BOUND,
          single ? [new Date(first)] : undefined,
        );
        dagState.lastScheduledAt = plan.lastScheduledAt?.toISOString() ?? dagState.lastScheduledAt;
        for (const skip of plan.skip)
          store.recordSkip(state, id, skip.logicalDate.toISOString(), skip.reason, now);
        for (const { logicalDate, trigger } of plan.create) {
          const runId = scheduledRunId(id, logicalDate);
          if (state.runs[runId] || store.getRun(runId)) continue;
          store.addRun(
            state,
            newRun(dag.definition, {
              id: runId,
              trigger,
              logicalDate,
              conf: {},
              commit: dag.commit,
              snapshot: dag.snapshot,
              now,
            }),
          );
        }
        for (const runId of plan.replace) {
          const replaced = state.runs[runId];
          if (replaced)
            toCancel.push(
              ...this.#failRun(replaced, "replaced by a newer run (concurrencyPolicy replace)", now),
            );
        }
      }
    };
    await this.#advanceAll(now, plan);
    for (const key of toCancel)
      await this.#o.executor.cancel(key, "replaced by a newer run (concurrencyPolicy replace)");
    this.#sleepUntilNextWork(now);
  }

  /**
   * The next two scheduled times after a DAG's last scheduled run, cached until that (or the
   * schedule) changes: computed while idle, so a tick at a busy second does no cron work.
   */
  #dueTimes(dag: DagDefinition, state: DagState): number[] {
    if (state.paused || dag.schedule === null) return [];
    const signature = [state.lastScheduledAt, dag.schedule, dag.timezone, dag.startDate, dag.endDate].join(
      "|",
    );
    const cached = this.#due.get(dag.id);
    if (cached?.signature === signature) return cached.times;
    const after = state.lastScheduledAt ? new Date(state.lastScheduledAt) : new Date(0);
    const times = scheduleTimes(dag, after, new Date(after.getTime() + 3650 * 86_400_000), 2).map((t) =>
      t.getTime(),
    );
    this.#due.set(dag.id, { signature, times });
    return times;
  }

  /** Advances every active run, respecting maxActiveRuns, and starts the tasks that became ready. */
  async #advanceAll(now: Date, before?: (state: ActiveState) => void): Promise<void> {
    const { store } = this.#o;
    const launches: Array<{ run: Run; instance: TaskInstance }> = [];
    const finished: Run[] = [];
    const started: Run[] = [];
    // One state write for the planning step and the advance: at a busy second this is what the
    // first task start waits for.
    await store.update((state) => {
      before?.(state);
      const runs = Object.values(state.runs).sort(
        (a, b) =>
          compare(a.logicalDate, b.logicalDate) || compare(a.queuedAt, b.queuedAt) || compare(a.id, b.id),
      );
      const advance = (run: Run, definition: DagDefinition) => {
        const wasFinal = run.state === "success" || run.state === "failed";
        const { toStart } = advanceRun(run, definition.tasks, now);
        for (const taskId of toStart) {
          const instance = run.tasks.find((task) => task.id === taskId);
          if (instance) launches.push({ run, instance });
        }
        if (run.state === "success" || run.state === "failed") {
          finished.push(run);
          // Counted once, on the way into the final state (an archive that failed is retried on
          // later steps), in the same synchronous step that makes that state visible to the API.
          if (!wasFinal) this.#metrics.runFinished(run);
        }
      };
      const waiting = (run: Run) =>
        run.state === "queued" && run.tasks.every((task) => task.state === "scheduled");
      // Runs under way first, so one that finishes now frees its maxActiveRuns slot for a queued one.
      for (const run of runs) {
        const definition = this.#definitionOf(run);
        if (definition && !waiting(run)) advance(run, definition);
      }
      const activeCount = new Map<string, number>();
      for (const run of runs) {
        if (run.state === "running") activeCount.set(run.dagId, (activeCount.get(run.dagId) ?? 0) + 1);
      }
      for (const run of runs) {
        const definition = this.#definitionOf(run);
        if (!definition || !waiting(run)) continue;
        const count = activeCount.get(run.dagId) ?? 0;
        if (count >= definition.maxActiveRuns) continue;
        activeCount.set(run.dagId, count + 1);
        if (this.#o.executor.name === "local") {
          run.notes.push("local executor: task images are not used; commands run on the daemon's machine");
        }
        advance(run, definition);
        if (run.trigger === "scheduled" && run.state === "running") started.push(run);
      }
    });
    // Stored as queued first: a crash from here on restarts (and so adopts) these same tries.
    for (const { run, instance } of launches) await this.#launch(run, instance);
    const startedAt = this.#now().getTime();
    for (const run of started)
      this.#metrics.runStarted({ dagId: run.dagId, lagMs: startedAt - Date.parse(run.logicalDate) });
    for (const run of finished) {
      await store.archive(run);
      const fields = { dag: run.dagId, run: run.id, state: run.state };
      if (run.state === "success") this.#o.log.info(fields, "run succeeded");
      else this.#o.log.warn(fields, "run failed");
    }
  }

  async #launch(run: Run, instance: TaskInstance): Promise<void> {
    const definition = this.#definitionOf(run);
    const task = definition?.tasks.find((t) => t.id === instance.id);
    if (!definition || !task) {
      await this.#failTry(run, instance, "the task is no longer defined", true);
      return;
    }
    const results = idRecord<unknown>();
    for (const other of run.tasks) if (other.hasResult) results[other.id] = other.result;
    const rendered = renderTaskTemplates(task, {
      conf: run.conf,
      logicalDate: run.logicalDate,
      runId: run.id,
      dagId: run.dagId,
      taskId: task.id,
      tryNumber: instance.try,
      results,
    });
    if (!rendered.ok) {
      await this.#failTry(run, instance, `template error: ${rendered.error}`, true);
      return;
    }
    let logFile: string;
    try {
      logFile = this.logFile(run, task.id, instance.try);
    } catch (error) {
      await this.#failTry(run, instance, (error as Error).message, true);
      return;
    }
    this.#o.log.info({ dag: run.dagId, run: run.id, task: task.id, try: instance.try }, "task starting");
    try {
      await this.#o.executor.start({
        dagId: run.dagId,
        runId: run.id,
        taskId: task.id,
        try: instance.try,
        task,
        ...rendered.value,
        snapshot: run.snapshot,
        logFile,
        logicalDate: run.logicalDate,
      });
    } catch (error) {
      // The executor could not even ask for the start (its API is down): the try stays queued and
      // the next tick, or restart, asks again.
      this.#o.log.warn(
        { dag: run.dagId, run: run.id, task: task.id, err: error },
        "task start failed; will retry",
      );
    }
  }

  /** Executor events are handled in batches: one state write and one advance for all that arrived. */
  #receive(event: ExecutorEvent): void {
    this.#inbox.push(event);
    if (this.#inboxQueued) return;
    this.#inboxQueued = true;
    void this.#enqueue(() => this.#drainInbox());
  }

  async #drainInbox(): Promise<void> {
    this.#inboxQueued = false;
    const events = this.#inbox.splice(0);
    const now = this.#now();
    const applied: Array<{ run: Run; instance: TaskInstance; event: ExecutorEvent }> = [];
    await this.#storeEvents(events, (state) => {
      for (const event of events) {
        const run = state.runs[event.key.runId];
        const instance = run?.tasks.find((task) => task.id === event.key.taskId);
        // Events for a try that is over (cleared, cancelled, replayed after a restart) change nothing.
        if (
          !run ||
          !instance ||
          instance.try !== event.key.try ||
          isTerminal(instance.state) ||
          instance.state === "up_for_retry"
        )
          continue;
        if (event.type === "running") {
          if (instance.state === "running") continue;
          instance.state = "running";
          instance.startedAt = now.toISOString();
          instance.podName = event.podName;
          const current = instance.tries.at(-1);
          if (current)
            Object.assign(current, {
              state: "running",
              startedAt: instance.startedAt,
              podName: event.podName,
            });
        } else {
          const definition = this.#definitionOf(run)?.tasks.find((t) => t.id === instance.id);
          finishTry(
            instance,
            definition ?? { retryDelayMs: 0, retryBackoff: null },
            event.type === "finished"
              ? {
                  ok: true,
                  exitCode: event.exitCode,
                  reason: null,
                  hasResult: event.result.present,
                  result: event.result.present ? event.result.value : null,
                }
              : { ok: false, exitCode: event.exitCode, reason: event.reason },
            now,
          );
        }
        applied.push({ run, instance, event });
      }
    });
    for (const { run, instance, event } of applied) {
      if (event.type === "running") {
        this.#armTimeout(run, instance);
        continue;
      }
      this.#disarmTimeout(event.key);
      this.#log(run, instance, event);
      if (instance.startedAt)
        this.#metrics.tryFinished({
          dagId: run.dagId,
          outcome: event.type === "finished" ? "success" : "failed",
          durationMs: now.getTime() - Date.parse(instance.startedAt),
        });
      if (instance.state === "failed") this.#notifyFailure(run, instance);
    }
    if (applied.some(({ event }) => event.type !== "running")) await this.#advanceAll(now);
    this.#sleepUntilNextWork(now);
  }

  async #failTry(run: Run, instance: TaskInstance, reason: string, final: boolean): Promise<void> {
    const now = this.#now();
    await this.#o.store.update(() => {
      if (final) instance.maxTries = instance.try;
      finishTry(
        instance,
        { retryDelayMs: 0, retryBackoff: null },
        { ok: false, exitCode: null, reason },
        now,
      );
    });
    if (instance.state === "failed") this.#notifyFailure(run, instance);
    this.wake();
  }

  /** Fails every unfinished task of a run (inside a state change); returns the tries to cancel. */
  #failRun(run: Run, reason: string, now: Date): TaskKey[] {
    const running: TaskKey[] = [];
    for (const instance of run.tasks) {
      if (instance.state === "queued" || instance.state === "running") {
        running.push({ dagId: run.dagId, runId: run.id, taskId: instance.id, try: instance.try });
      }
      if (!isTerminal(instance.state)) {
        instance.maxTries = instance.try;
        finishTry(
          instance,
          { retryDelayMs: 0, retryBackoff: null },
          { ok: false, exitCode: null, reason },
          now,
        );
      }
    }
    return running;
  }

  #armTimeout(run: Run, instance: TaskInstance): void {
    const timeoutMs = this.#definitionOf(run)?.tasks.find((t) => t.id === instance.id)?.timeoutMs;
    if (!timeoutMs) return;
    const key: TaskKey = { dagId: run.dagId, runId: run.id, taskId: instance.id, try: instance.try };
    const elapsed = instance.startedAt ? this.#now().getTime() - new Date(instance.startedAt).getTime() : 0;
    const timer = setTimeout(
      () => void this.#o.executor.cancel(key, `timed out after ${formatMs(timeoutMs)}`),
      Math.max(0, timeoutMs - elapsed),
    );
    timer.unref();
    this.#timeouts.set(keyString(key), timer);
  }

  #disarmTimeout(key: TaskKey): void {
    const id = keyString(key);
    clearTimeout(this.#timeouts.get(id));
    this.#timeouts.delete(id);
  }

  #definitionOf(run: Run): DagDefinition | undefined {
    return this.#o.store.definitionOf(run) ?? this.#o.registry.get(run.dagId)?.definition;
  }

  #notifyFailure(run: Run, instance: TaskInstance): void {
    const dag = this.#definitionOf(run);
    const logUrl = `${this.#o.publicUrl()}/api/runs/${encodeURIComponent(run.id)}/tasks/${encodeURIComponent(instance.id)}/logs?try=${instance.try}`;
    const reason = instance.reason ?? "failed";
    this.#o.notifier.notify([dag?.onFailure?.url, this.#o.notifyUrl], {
      text: `updraft: task ${run.dagId}.${instance.id} failed in run ${run.id} (try ${instance.try}): ${reason}`,
      dag: run.dagId,
      run: run.id,
      task: instance.id,
      try: instance.try,
      reason,
      logUrl,
    });
  }

  #log(run: Run, instance: TaskInstance, event: ExecutorEvent): void {
    const fields = {
      dag: run.dagId,
      run: run.id,
      task: instance.id,
      try: event.key.try,
      state: instance.state,
      reason: instance.reason,
    };
    if (instance.state === "success") this.#o.log.info(fields, "task succeeded");
    else
      this.#o.log.warn(fields, instance.state === "up_for_retry" ? "task failed; will retry" : "task failed");
  }

  /**
   * Stores a batch of executor events; if the write fails they go back to the inbox (the state was
   * rolled back), so the retry applies them instead of losing a task's outcome.
   */
  async #storeEvents(events: ExecutorEvent[], change: (state: ActiveState) => void): Promise<void> {
    try {
      await this.#o.store.update(change);
    } catch (error) {
      this.#inbox.unshift(...events);
      throw error;
    }
  }

  /**
   * After a failed step (the state store could not write, say) nothing else may wake the loop:
   * it wakes itself, backing off from 250 ms up to maxSleepMs, so it recovers on its own.
   */
  #retrySoon(): void {
    if (this.#stopped) return;
    this.#failures++;
    const delay = Math.min(250 * 2 ** (this.#failures - 1), this.#o.maxSleepMs ?? 5000);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#inbox.length > 0 && !this.#inboxQueued) {
        this.#inboxQueued = true;
        void this.#enqueue(() => this.#drainInbox());
      }
      this.wake();
    }, delay);
    this.#timer.unref();
  }

  /** Sleeps until the next scheduled time or retry, but never longer than maxSleepMs. */
  #sleepUntilNextWork(now: Date): void {
    if (this.#stopped) return;
    this.#failures = 0;
    let next = now.getTime() + (this.#o.maxSleepMs ?? 5000);
    for (const dag of this.#o.registry.all()) {
      const state = this.#o.store.dag(dag.definition.id);
      const due = state ? this.#dueTimes(dag.definition, state)[0] : undefined;
      if (due !== undefined) next = Math.min(next, due);
    }
    for (const run of this.#o.store.activeRuns()) {
      for (const task of run.tasks) {
        if (task.state === "up_for_retry" && task.nextTryAt)
          next = Math.min(next, new Date(task.nextTryAt).getTime());
      }
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), Math.max(0, next - this.#now().getTime()));
    this.#timer.unref();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
