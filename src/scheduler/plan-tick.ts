import type { ActiveDag } from "../dags/active-dags.ts";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import { paramDefaults } from "../dags/spec/params-schema.ts";
import type { TaskKey, TaskLaunch } from "../executor/executor.ts";
import { isTerminal, type Run, type TaskInstance } from "../runs/run-model.ts";
import { sortOldestFirst } from "../runs/oldest-first.ts";
import { isoTime } from "../runs/iso-time.ts";
import { ownValue } from "../store/id-record.ts";
import type { ActiveState, DagState } from "../runs/active-state.ts";
import type { RunStore } from "../store/run-store.ts";
import {
  DEFAULT_CATCHUP_BOUND,
  initialDagState,
  newRun,
  planScheduledRuns,
  scheduledRunId,
} from "./run-planner.ts";
import { createBackfillRuns } from "./backfill-plan.ts";
import { findMissedSchedules, type MissedSchedule } from "./missed-schedules.ts";
import { advanceRun, failRun } from "./run-progress.ts";
import { createPoolGate } from "./pool-gate.ts";
import { stopRunsPastDeadline } from "./run-deadline.ts";
import { nextWakeAt, timeoutsDue } from "./next-wake.ts";

export { nextWakeAt } from "./next-wake.ts";

/** What planning reads besides the state: the store's bookkeeping, definitions, the cron cache. */
export interface TickContext {
  /** Adds runs and records skips in the state; `getRun` also finds archived runs. */
  book: Pick<RunStore, "addRun" | "recordSkip" | "getRun">;
  /** The definition a run was created with (or the registered one). */
  definitionOf(run: Run): DagDefinition | undefined;
  /** The next two due times of a DAG after its last scheduled run (see due-times.ts). */
  dueTimes(dag: DagDefinition, state: DagState): number[];
  catchupBound?: number;
  /** What the executor wants noted on each run it starts (see Executor.notes). */
  notes?: readonly string[];
  /** What the executor wants noted on each run of one DAG (see Executor.notesFor). */
  notesFor?: (dag: DagDefinition) => readonly string[];
  /** The loop wakes at least this often. */
  maxSleepMs: number;
  /** `--pool NAME=N`: at most N tries hold a slot of pool NAME at once, across all DAGs. */
  pools?: ReadonlyMap<string, number>;
}

/** A DAG as the tick schedules it. */
export type ScheduledDag = Pick<ActiveDag, "definition" | "commit" | "snapshot">;

export interface Launch {
  run: Run;
  instance: TaskInstance;
  /** What the executor is asked to start, when made ahead (see due-preparation.ts). */
  prepared?: TaskLaunch;
}

export interface Cancel {
  key: TaskKey;
  reason: string;
}

/** What advancing the active runs decided. */
export interface Advance {
  /** Tries queued now: the loop starts them. */
  launches: Launch[];
  /** Runs that left the queue now (their first tasks were queued). */
  started: Run[];
  /** Runs in a final state, to archive (one whose archive failed is here again). */
  finished: Run[];
  /** The runs of `finished` that reached their final state now. */
  newlyFinished: Run[];
}

/** One tick's decisions; the state given to `planTickActions` already holds them. */
export interface TickActions extends Advance {
  created: Run[];
  /** Live tries of replaced runs (concurrencyPolicy replace). */
  cancels: Cancel[];
  /** Running tries past their timeout. */
  timeouts: Cancel[];
  /** Scheduled runs late past `expectedWithin`/`finishWithin`, alerted now (once each). */
  missed: MissedSchedule[];
}

/** A tick's decisions and when the loop should tick next (epoch ms). */
export interface TickPlan extends TickActions {
  wakeAt: number;
}

const REPLACED = "replaced by a newer run (concurrencyPolicy replace)";

/** `planTickActions`, then when to wake next (the loop asks for the latter after starting tries). */
export function planTick(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: TickContext,
): TickPlan {
  const actions = planTickActions(state, dags, now, context);
  return { ...actions, wakeAt: nextWakeAt(state, dags, now, context) };
}

/**
 * Plans one tick over active state, changing it in place (inside a store update): creates the
 * runs that are due, fails runs they replace, advances every active run within maxActiveRuns,
 * and says which tries to start or cancel. No I/O, no clock: `now` is given. The DAGs' following
 * due times are left to `nextWakeAt`, so a busy second starts its tries before that cron work.
 */
export function planTickActions(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: TickContext,
): TickActions {
  const { created, cancels } = scheduleDueRuns(state, dags, now, context);
  created.push(...createBackfillRuns(state, dags, now, context));
  // Listed once, after the runs are created, for every pass below (none adds or removes a run).
  const runs = Object.values(state.runs);
  const unfinished = runs.filter((run) => !isFinal(run));
  cancels.push(...stopRunsPastDeadline(state, now, context, runs));
  const advance = advanceRuns(state, now, context, runs);
  // Runs the deadline ended are final before advanceRuns sees them: they finished now.
  for (const run of unfinished)
    if (isFinal(run) && !advance.newlyFinished.includes(run)) {
      advance.newlyFinished.push(run);
      if (!advance.finished.includes(run)) advance.finished.push(run);
    }
  return {
    created,
    cancels,
    ...advance,
    timeouts: timeoutsDue(state, now, context, runs),
    missed: findMissedSchedules(state, dags, now, context),
  };
}

/** Creates the scheduled runs that are due (and records skips); fails the runs they replace. */
export function scheduleDueRuns(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: TickContext,
): { created: Run[]; cancels: Cancel[] } {
  const created: Run[] = [];
  const cancels: Cancel[] = [];
  const activeByDag = new Map<string, Run[]>();
  for (const run of Object.values(state.runs)) {
    const runs = activeByDag.get(run.dagId);
    if (runs) runs.push(run);
    else activeByDag.set(run.dagId, [run]);
  }
  for (const dag of dags) {
    const id = dag.definition.id;
    let dagState = ownValue(state.dags, id);
    if (!dagState) state.dags[id] = dagState = initialDagState(dag.definition, now);
    const due = context.dueTimes(dag.definition, dagState);
    const first = due[0];
    if (first === undefined || first > now.getTime()) continue;
    // One interval due (the common case): the cached times say so without a cron walk.
    const single = dagState.lastScheduledAt !== null && (due[1] === undefined || due[1] > now.getTime());
    const plan = planScheduledRuns(
      dag.definition,
      dagState,
      activeByDag.get(id) ?? [],
      now,
      context.catchupBound ?? DEFAULT_CATCHUP_BOUND,
      single ? [new Date(first)] : undefined,
    );
    dagState.lastScheduledAt = plan.lastScheduledAt
      ? isoTime(plan.lastScheduledAt)
      : dagState.lastScheduledAt;
    for (const skip of plan.skip)
      context.book.recordSkip(state, id, skip.logicalDate.toISOString(), skip.reason, now);
    for (const { logicalDate, trigger } of plan.create) {
      const runId = scheduledRunId(id, logicalDate);
      if (ownValue(state.runs, runId) || context.book.getRun(runId)) continue;
      const run = newRun(dag.definition, {
        id: runId,
        trigger,
        logicalDate,
        conf: paramDefaults(dag.definition.params),
        commit: dag.commit,
        snapshot: dag.snapshot,
        now,
      });
      context.book.addRun(state, run);
      created.push(run);
    }
    for (const runId of plan.replace) {
      const replaced = ownValue(state.runs, runId);
      if (replaced)
        for (const key of failRun(replaced, REPLACED, now)) cancels.push({ key, reason: REPLACED });
    }
  }
  return { created, cancels };
}

/** Advances every active run, oldest first, respecting maxActiveRuns; queues the tries that became ready. */
export function advanceRuns(
  state: ActiveState,
  now: Date,
  context: Pick<TickContext, "definitionOf" | "notes" | "notesFor" | "pools">,
  /** The state's runs, when the caller has listed them already. */
  listed: readonly Run[] = Object.values(state.runs),
): Advance {
  const result: Advance = { launches: [], started: [], finished: [], newlyFinished: [] };
  const runs = sortOldestFirst(listed);
  // Slots in use counted once; the gate counts the ones it hands out, oldest run first.
  const gate = createPoolGate(state, context);
  const advance = (run: Run, definition: DagDefinition) => {
    const wasFinal = isFinal(run);
    for (const taskId of advanceRun(run, definition.tasks, now, gate).toStart) {
      const instance = run.tasks.find((task) => task.id === taskId);
      if (instance) result.launches.push({ run, instance });
    }
    if (!isFinal(run)) return;
    result.finished.push(run);
    // An archive that failed is retried on later ticks: the run finished only once.
    if (!wasFinal) result.newlyFinished.push(run);
  };
  // Queued runs wait for a slot, even when a mark has already ended some of their tasks (not all).
  const waiting = (run: Run) => run.state === "queued" && !run.tasks.every((task) => isTerminal(task.state));
  // Runs under way first, so one that finishes now frees its maxActiveRuns slot for a queued one.
  // Looked up once per run for both passes below.
  const definitions = runs.map((run) => context.definitionOf(run));
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as Run;
    const definition = definitions[i];
    if (definition && !waiting(run)) advance(run, definition);
  }
  // Asked once per definition, not per run (10,000 runs of as many DAGs start in one tick).
  const notes = new Map<DagDefinition, readonly string[]>();
  const notesOf = (definition: DagDefinition): readonly string[] => {
    let found = notes.get(definition);
    if (!found)
      notes.set(definition, (found = [...(context.notes ?? []), ...(context.notesFor?.(definition) ?? [])]));
    return found;
  };
  const activeCount = new Map<string, number>();
  for (const run of runs) {
    if (run.state === "running") activeCount.set(run.dagId, (activeCount.get(run.dagId) ?? 0) + 1);
  }
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as Run;
    const definition = definitions[i];
    if (!definition || !waiting(run)) continue;
    const count = activeCount.get(run.dagId) ?? 0;
    if (count >= definition.maxActiveRuns) continue;
    activeCount.set(run.dagId, count + 1);
    // A run made to run again (clear, retry-failed) started before: noted and announced then.
    const rerun = Boolean(run.startedAt);
    advance(run, definition);
    // A run whose ready tries all wait for a pool stays queued: noted once, when it starts.
    if (run.state === "queued") continue;
    // Its runTimeout counts from now: the time it waited for the slot is not the run's.
    if (rerun) {
      run.resumedAt = now.toISOString();
      continue;
    }
    for (const note of notesOf(definition)) run.notes.push(note);
    if (run.state === "running") result.started.push(run);
  }
  return result;
}

function isFinal(run: Run): boolean {
  return run.state === "success" || run.state === "failed";
}
