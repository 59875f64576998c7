import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { DaemonEventBus } from "../events/daemon-events.ts";
import { type Executor, type ExecutorEvent, keyString, type TaskLaunch } from "../executor/executor.ts";
import type { Logger } from "../log/logger.ts";
import type { MissedSchedule } from "../runs/missed-schedule.ts";
import type { Run, TaskInstance } from "../runs/run-model.ts";
import type { ActiveState } from "../runs/active-state.ts";
import type { RunStore } from "../store/run-store.ts";
import { settleFinishedRuns } from "./backfill-progress.ts";
import { applyExecutorEvents } from "./executor-events.ts";
import type { Advance, Cancel } from "./plan-tick.ts";
import { failTry } from "./run-progress.ts";
import { type LaunchPlan, taskLaunchOf } from "./task-launch.ts";

export interface StepEffectsOptions {
  store: RunStore;
  executor: Executor;
  events: DaemonEventBus;
  log: Logger;
  logsDir: string;
  now: () => Date;
  definitionOf(run: Run): DagDefinition | undefined;
  /** Asks the loop for a tick (after a try failed without running). */
  wake(): void;
}

/**
 * Carries out what the pure planning decided, in order: the state write first (durable, rolled
 * back if the disk refuses it), then the events, the executor calls and the archive.
 */
export class StepEffects {
  readonly #o: StepEffectsOptions;
  /** Runs whose end was reported but not yet archived: a step retried after a failed write reports it once. */
  readonly #finishReported = new Set<string>();
  /** Timed-out tries already asked to stop: later ticks do not ask again while their end is on its way. */
  #timedOut = new Set<string>();

  constructor(options: StepEffectsOptions) {
    this.#o = options;
  }

  /**
   * Stores a step (a tick's plan, or an advance after tries ended), then reports it, starts the
   * tries it queued (stored as queued first: a crash from here on restarts these same tries) and
   * archives finished runs.
   */
  async step<P extends Advance & { created?: Run[]; missed?: MissedSchedule[] }>(
    plan: (state: ActiveState) => P,
  ): Promise<P> {
    let planned: P | undefined;
    let backfillSlotFreed = false;
    await this.#o.store.update((state) => {
      planned = plan(state);
      // Counted in the write that shows the runs final: a backfill's progress is never behind them.
      backfillSlotFreed = settleFinishedRuns(state, planned.finished, this.#o.now());
      // Reported in the step that shows the final state to readers (the API), so a reader that
      // sees it also sees its metrics.
      for (const run of planned.newlyFinished) {
        if (this.#finishReported.has(run.id)) continue;
        this.#finishReported.add(run.id);
        this.#o.events.emit("run:finished", { run });
      }
    });
    if (!planned) throw new Error("the state store did not apply the scheduler's step");
    await this.#carryOut(planned, backfillSlotFreed);
    return planned;
  }

  /** After a step's write: reports it, starts the tries it queued and archives finished runs. */
  async #carryOut(
    planned: Advance & { created?: Run[]; missed?: MissedSchedule[] },
    backfillSlotFreed: boolean,
  ): Promise<void> {
    for (const run of planned.created ?? []) this.#o.events.emit("run:created", { run });
    for (const missed of planned.missed ?? []) this.#o.events.emit("schedule:missed", missed);
    for (const { run, instance, prepared } of planned.launches) await this.launch(run, instance, prepared);
    const startedAt = this.#o.now().getTime();
    for (const run of planned.started) {
      const lagMs = run.trigger === "scheduled" ? startedAt - Date.parse(run.logicalDate) : null;
      this.#o.events.emit("run:started", { run, lagMs });
    }
    // One history write per DAG and one state write for all the runs that finished.
    await this.#o.store.archiveAll(planned.finished);
    for (const run of planned.finished) this.#finishReported.delete(run.id);
    // A backfill's slot is free: its next run is created by a tick, not at the next timer.
    if (backfillSlotFreed) this.#o.wake();
  }

  /**
   * Stores executor events (rejects, changing nothing, if the write fails), acknowledges the ended
   * tries to the executor (`stored`) and reports the tries they moved. When a try ended, `advance`
   * runs in the same write (one durable write per batch, not two: a burst of Pods ending made a
   * write per event), and is then carried out as a step.
   */
  async applyEvents(
    events: readonly ExecutorEvent[],
    now: Date,
    advance: (state: ActiveState) => Advance,
    /** Called when the write is refused (the state is rolled back): the events are to be applied again. */
    refused: () => void,
  ): Promise<void> {
    let applied: ReturnType<typeof applyExecutorEvents> = [];
    let planned: Advance | undefined;
    let backfillSlotFreed = false;
    await this.#o.store
      .update((state) => {
        applied = applyExecutorEvents(state, events, this.#o.definitionOf, now);
        if (!applied.some(({ event }) => event.type !== "running")) return;
        planned = advance(state);
        backfillSlotFreed = settleFinishedRuns(state, planned.finished, this.#o.now());
      })
      .catch((error: unknown) => {
        refused();
        throw error;
      });
    // Durable: the executor may now drop what stood for these outcomes until then (a finished Pod).
    // Every ended try of the batch, also those state ignored: state does not need their Pods either.
    const ended = events.flatMap((event) => (event.type === "running" ? [] : [event.key]));
    // A throw here costs those tries' cleanup, not the follow-up of a batch already on disk.
    try {
      if (ended.length > 0) this.#o.executor.stored?.(ended);
    } catch (error) {
      this.#o.log.error({ err: error }, "the executor could not take the acknowledgement of stored outcomes");
    }
    for (const { run, task, event } of applied) {
      if (event.type === "running") this.#o.events.emit("try:started", { run, task });
      else {
        const durationMs = task.startedAt ? now.getTime() - Date.parse(task.startedAt) : null;
        this.#o.events.emit("try:finished", { run, task, durationMs });
      }
    }
    if (!planned) return;
    // After the tries that ended it (a listener told of a try's failure is not told again).
    for (const run of planned.newlyFinished) {
      if (this.#finishReported.has(run.id)) continue;
      this.#finishReported.add(run.id);
      this.#o.events.emit("run:finished", { run });
    }
    await this.#carryOut(planned, backfillSlotFreed);
  }

  /** After a restart: tries that were queued or running are started again, which adopts or reports them. */
  async recover(): Promise<void> {
    await this.#o.executor.recover?.();
    for (const run of this.#o.store.activeRuns()) {
      for (const instance of run.tasks) {
        if (instance.state === "queued" || instance.state === "running") await this.launch(run, instance);
      }
    }
  }

  /** Asks the executor to start a queued try, or fails it for good if it cannot start. */
  async launch(run: Run, instance: TaskInstance, prepared?: TaskLaunch): Promise<void> {
    const planned: LaunchPlan = prepared
      ? { ok: true, launch: prepared }
      : taskLaunchOf(run, instance, this.#o.definitionOf(run), this.#o.logsDir);
    if (!planned.ok) return this.#failTry(run, instance, planned.reason);
    this.#o.log.info({ dag: run.dagId, run: run.id, task: instance.id, try: instance.try }, "task starting");
    try {
      await this.#o.executor.start(planned.launch);
    } catch (error) {
      // The executor could not even ask for the start (its API is down): the try stays queued and
      // the next tick, or restart, asks again.
      const fields = { dag: run.dagId, run: run.id, task: instance.id };
      this.#o.log.warn({ ...fields, err: error }, "task start failed; will retry");
    }
  }

  /** Cancels replaced runs' tries (waiting for each), and asks once to stop each timed-out try. */
  async cancel({ cancels, timeouts }: { cancels: Cancel[]; timeouts: Cancel[] }): Promise<void> {
    for (const { key, reason } of cancels) await this.#o.executor.cancel(key, reason);
    const asked = this.#timedOut;
    this.#timedOut = new Set(timeouts.map(({ key }) => keyString(key)));
    for (const { key, reason } of timeouts) {
      if (asked.has(keyString(key))) continue;
      void this.#o.executor.cancel(key, reason).catch((error: unknown) => {
        this.#timedOut.delete(keyString(key));
        this.#o.log.warn(
          { dag: key.dagId, run: key.runId, task: key.taskId, err: error },
          "task cancel failed",
        );
      });
    }
  }

  /** Forgets the timed-out tries asked to stop (the loop stopped; a restart asks again). */
  reset(): void {
    this.#timedOut.clear();
  }

  /** A try that cannot start fails for good; it never ran, so it has no duration. */
  async #failTry(run: Run, instance: TaskInstance, reason: string): Promise<void> {
    const now = this.#o.now();
    await this.#o.store.update(() => failTry(instance, reason, now));
    this.#o.events.emit("try:finished", { run, task: instance, durationMs: null });
    this.#o.wake();
  }
}
