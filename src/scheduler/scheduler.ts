import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { Backfill, BackfillInput } from "../runs/backfill-model.ts";
import { cancelBackfill, checkBackfill, startBackfill } from "./backfill-request.ts";
import type { ExecutorEvent } from "../executor/executor.ts";
import type { RunChange } from "../runs/run-change.ts";
import type { Run } from "../runs/run-model.ts";
import { tryLogFile } from "../runs/try-files.ts";
import { checkClear } from "./clear-request.ts";
import { type CheckedRun, rerunChecked } from "./rerun.ts";
import { DueTimesCache } from "./due-times.ts";
import { DuePreparation } from "./due-preparation.ts";
import { advanceRuns, nextWakeAt, planTickActions, type TickContext } from "./plan-tick.ts";
import { type PoolUsage, poolUsage } from "./pool-usage.ts";
import { checkRetryFailed, retryFailedTasks } from "./retry-failed.ts";
import { runControlRequest } from "./run-control-request.ts";
import { clearTask } from "./run-progress.ts";
import { SchedulerError } from "./scheduler-error.ts";
import type { SchedulerOptions, SchedulerParts } from "./scheduler-options.ts";
import { StepEffects } from "./step-effects.ts";
import { pauseDag, triggerRun } from "./trigger-request.ts";
import { keepLoadedDefinitions } from "./kept-definitions.ts";
import { WakeTimer } from "./wake-timer.ts";

export { SchedulerError } from "./scheduler-error.ts";
export type { SchedulerOptions, SchedulerParts } from "./scheduler-options.ts";
/**
 * The scheduler's loop: wires the clock, the store, the executor and the event bus around the pure
 * planning in plan-tick.ts and the transitions in run-progress.ts. Event-driven: it sleeps until
 * the next due time, retry or timeout (at most maxSleepMs) and wakes at once on executor events,
 * syncs and API calls. Every change is stored before it is acted on, and all work is serialised.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #now: () => Date;
  readonly #context: TickContext;
  #serial: Promise<unknown> = Promise.resolve();
  readonly #timer = new WakeTimer(
    () => this.#now().getTime(),
    () => {
      if (this.#inbox.length > 0) this.#drainSoon();
      this.wake();
    },
  );
  #stopped = true;
  #unsubscribe: Array<() => void> = [];
  readonly #inbox: ExecutorEvent[] = [];
  #inboxQueued = false;
  /** Steps failed in a row (the state store could not write, say): the retry backs off. */
  #failures = 0;
  readonly #effects: StepEffects;
  readonly #dueTimes = new DueTimesCache();
  readonly #due: DuePreparation;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#context = {
      book: options.store,
      definitionOf: (run) => this.definitionOf(run),
      dueTimes: this.#dueTimes.get,
      ...(options.catchupBound === undefined ? {} : { catchupBound: options.catchupBound }),
      notes: options.executor.notes ?? [],
      notesFor: (dag) => options.executor.notesFor?.(dag) ?? [],
      maxSleepMs: options.maxSleepMs ?? 5000,
      pools: options.pools ?? new Map(),
    };
    this.#effects = new StepEffects({
      ...options,
      now: this.#now,
      definitionOf: this.#context.definitionOf,
      wake: () => this.wake(),
    });
    this.#due = new DuePreparation({ ...options, now: this.#now, context: this.#context });
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#unsubscribe = [
      this.#o.executor.subscribe((event) => this.#receive(event)),
      this.#o.registry.onChange(({ removed }) => {
        this.#dueTimes.forget(removed);
        this.wake();
      }),
      keepLoadedDefinitions(this.#o.store, this.#o.registry),
    ];
    await this.#enqueue(() => this.#effects.recover());
    this.wake();
  }

  /** Stops the loop after the work under way; running tasks keep running (a restart adopts them). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer.clear();
    this.#effects.reset();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await this.#serial.catch(() => undefined).finally(() => this.#due.clear());
  }

  /** Runs a tick soon (after what is queued). */
  wake(): void {
    if (!this.#stopped) void this.#enqueue(() => this.#tick());
  }

  /** A manual run; `by` (an email, a token's name) is kept on it as `triggeredBy`. */
  trigger(dagId: string, conf: Record<string, unknown>, options: { by?: string } = {}): Promise<Run> {
    return this.serially((parts) => triggerRun(parts, dagId, conf, options.by));
  }

  setPaused(dagId: string, paused: boolean): Promise<void> {
    return this.serially((parts) => pauseDag(parts, dagId, paused));
  }

  isPaused(dagId: string): boolean {
    const state = this.#o.store.dag(dagId);
    return state ? state.paused : (this.#o.registry.get(dagId)?.definition.pausedOnCreation ?? false);
  }

  /** Runs a task again, and everything downstream of it. */
  clear(runId: string, taskId: string): Promise<Run> {
    const check = () => checkClear(runId, taskId, this.#o.store.getRun(runId), (r) => this.definitionOf(r));
    return this.#rerun(check, (run, definition) => void clearTask(run, definition.tasks, taskId));
  }

  /** Runs every failed and upstream_failed task of a finished run again, in one step. */
  retryFailed(runId: string): Promise<Run> {
    const check = () => checkRetryFailed(runId, this.#o.store.getRun(runId), (r) => this.definitionOf(r));
    return this.#rerun(check, (run, definition) => void retryFailedTasks(run, definition.tasks));
  }

  #rerun(check: () => CheckedRun, change: Parameters<typeof rerunChecked>[2]): Promise<Run> {
    return this.#enqueue(async () => {
      const run = await rerunChecked(this.#o.store, check(), change, this.#now());
      this.wake();
      return run;
    });
  }

  /** Stops or marks an unfinished run, or marks one of its tasks, for `actor` (see run-control-request.ts). */
  controlRun(runId: string, change: RunChange, actor: string): Promise<Run> {
    return this.serially((parts) => runControlRequest(parts, runId, change, actor, parts.now));
  }

  /** Starts a backfill of a date range (its runs are created a few per tick; see backfill-plan.ts). */
  async backfill(dagId: string, input: BackfillInput, actor?: string): Promise<Backfill> {
    const checked = await checkBackfill(this.#o.registry.get(dagId), dagId, input);
    return this.serially((parts) => startBackfill(parts, checked, actor));
  }

  /** Cancels a running backfill: no more runs are created; those under way finish. */
  cancelBackfill(id: string, actor: string): Promise<Backfill> {
    return this.serially((parts) => cancelBackfill(parts, id, actor));
  }

  /** Runs `work` in the serial queue with the scheduler's parts, then wakes the loop: how requests kept outside this file change runs. */
  serially<T>(work: (parts: SchedulerParts) => Promise<T>): Promise<T> {
    return this.#enqueue(async () => {
      const parts = { ...this.#o, effects: this.#effects, context: this.#context, now: this.#now() };
      const result = await work(parts);
      this.wake();
      return result;
    });
  }

  /** Each `--pool` with its slots, the tries holding one and the tries waiting for one. */
  pools(): PoolUsage[] {
    return poolUsage(this.#o.store.state, this.#context);
  }

  /** Commits whose snapshots active runs still use. */
  commitsInUse(): string[] {
    return this.#o.store.activeRuns().flatMap((run) => (run.commit ? [run.commit] : []));
  }

  /** Throws UnsafeTryPathError for ids that would leave the logs folder (see try-files.ts). */
  logFile(run: Pick<Run, "dagId" | "id">, taskId: string, tryNumber: number): string {
    return tryLogFile(this.#o.logsDir, { dagId: run.dagId, runId: run.id, taskId, try: tryNumber });
  }

  /** The definition a run was created with, else the DAG's registered one. */
  definitionOf(run: Run): DagDefinition | undefined {
    return this.#o.store.definitionOf(run) ?? this.#o.registry.get(run.dagId)?.definition;
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

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    const now = this.#now();
    this.#o.heartbeat.beat();
    const dags = this.#o.registry.all();
    if (this.#due.ready(now)) await this.#effects.step((state) => this.#due.take(state, now, dags));
    const plan = await this.#effects.step((state) => planTickActions(state, dags, now, this.#context));
    await this.#effects.cancel(plan);
    // After the starts: cron work nothing waits on; then, while idle, the next due second is prepared.
    this.#due.afterTick(this.#sleepUntil(nextWakeAt(this.#o.store.state, dags, now, this.#context)), dags);
  }

  /** Executor events are handled in batches: one state write and one advance for all that arrived. */
  #receive(event: ExecutorEvent): void {
    this.#inbox.push(event);
    this.#drainSoon();
  }

  #drainSoon(): void {
    if (this.#inboxQueued) return;
    this.#inboxQueued = true;
    void this.#enqueue(() => this.#drainInbox());
  }

  async #drainInbox(): Promise<void> {
    this.#inboxQueued = false;
    const events = this.#inbox.splice(0);
    const now = this.#now();
    await this.#effects.applyEvents(
      events,
      now,
      (state) => advanceRuns(state, now, this.#context),
      // The state was rolled back: the retry applies these events instead of losing a task's outcome.
      () => this.#inbox.unshift(...events),
    );
    this.#sleepUntil(nextWakeAt(this.#o.store.state, this.#o.registry.all(), now, this.#context));
  }

  /**
   * After a failed step (the state store could not write, say) nothing else may wake the loop:
   * it wakes itself, backing off from 250 ms up to maxSleepMs, so it recovers on its own.
   */
  #retrySoon(): void {
    if (this.#stopped) return;
    this.#failures++;
    const delay = Math.min(250 * 2 ** (this.#failures - 1), this.#context.maxSleepMs);
    this.#timer.at(this.#now().getTime() + delay);
  }

  /** Sleeps until `wakeAt` (epoch ms; planning caps it at maxSleepMs), and returns it. */
  #sleepUntil(wakeAt: number): number {
    if (this.#stopped) return wakeAt;
    this.#failures = 0;
    this.#timer.at(wakeAt);
    return wakeAt;
  }
}
