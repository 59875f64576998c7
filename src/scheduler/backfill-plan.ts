import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState } from "../runs/active-state.ts";
import { newTaskInstance, type Run } from "../runs/run-model.ts";
import type { ScheduledDag, TickContext } from "./plan-tick.ts";
import { clearTask } from "./run-progress.ts";
import { newRun, scheduledRunId } from "./run-planner.ts";
import { ownValue } from "../store/id-record.ts";
import type { Backfill } from "../runs/backfill-model.ts";
import { nextBackfillDates } from "./backfill-range.ts";
import { finishBackfillIfDone, pruneFinishedBackfills, settleBackfillRun } from "./backfill-progress.ts";

/** Logical dates looked at per backfill and tick: a tick stays short however many dates are kept. */
const DATES_PER_TICK = 64;

/**
 * Hands out the next logical dates of each running backfill as runs (created, or existing ones
 * rerun per `rerun`), so that no backfill has more than its `maxActiveRuns` active, and moves its
 * cursor in the same state change. Pure: `now` is given, the state is changed in place.
 */
export function createBackfillRuns(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: TickContext,
): Run[] {
  const created: Run[] = [];
  const running = Object.values(state.backfills).filter((backfill) => backfill.state === "running");
  // Most ticks have no backfill: they pay nothing per DAG for it.
  const byId =
    running.length === 0
      ? new Map<string, ScheduledDag>()
      : new Map(dags.map((dag) => [dag.definition.id, dag]));
  for (const backfill of running) {
    // Runs that ended some other way than a step's finished list (or before a restart).
    for (const runId of [...backfill.active]) {
      const run = ownValue(state.runs, runId) ?? context.book.getRun(runId);
      if (!run || run.state === "success" || run.state === "failed") settleBackfillRun(backfill, runId, run);
    }
    const dag = byId.get(backfill.dagId);
    // Pausing the DAG holds its backfills too: they hand out nothing until it is unpaused.
    if (dag && !ownValue(state.dags, backfill.dagId)?.paused)
      created.push(...handOut(state, backfill, dag, now, context));
    finishBackfillIfDone(backfill, now);
  }
  pruneFinishedBackfills(state);
  return created;
}

/** When a running backfill can hand out more runs now (it has free slots and dates left). */
export function nextBackfillWake(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
): number | undefined {
  const running = Object.values(state.backfills).filter((backfill) => backfill.state === "running");
  if (running.length === 0) return undefined;
  const present = new Set(dags.map((dag) => dag.definition.id));
  for (const backfill of running)
    if (
      present.has(backfill.dagId) &&
      !ownValue(state.dags, backfill.dagId)?.paused &&
      backfill.active.length < backfill.maxActiveRuns &&
      !datesHandedOut(backfill)
    )
      return now.getTime();
  return undefined;
}

/** Whether every planned date has been handed out (created, rerun or kept). */
export function datesHandedOut(backfill: Backfill): boolean {
  return backfill.created + backfill.kept >= backfill.planned;
}

function handOut(
  state: ActiveState,
  backfill: Backfill,
  dag: ScheduledDag,
  now: Date,
  context: TickContext,
): Run[] {
  const created: Run[] = [];
  let budget = DATES_PER_TICK;
  while (budget > 0 && backfill.active.length < backfill.maxActiveRuns && !datesHandedOut(backfill)) {
    const dates = nextBackfillDates(dag.definition, backfill, Math.min(budget, backfill.maxActiveRuns + 8));
    // The schedule changed since the backfill was planned: what the walk gives is all there is.
    if (dates.length === 0) backfill.planned = backfill.created + backfill.kept;
    for (const logicalDate of dates) {
      if (backfill.active.length >= backfill.maxActiveRuns || datesHandedOut(backfill)) break;
      budget--;
      const run = runFor(state, backfill, dag, logicalDate, now, context);
      // The cursor moves in the same state change as the run it hands out.
      backfill.cursor = logicalDate.toISOString();
      if (!run) {
        backfill.kept++;
        continue;
      }
      context.book.addRun(state, run);
      backfill.active.push(run.id);
      backfill.created++;
      created.push(run);
    }
  }
  return created;
}

/** The run a date gets: a new one, an existing one to rerun (per `rerun`), or none (kept). */
function runFor(
  state: ActiveState,
  backfill: Backfill,
  dag: ScheduledDag,
  logicalDate: Date,
  now: Date,
  context: TickContext,
): Run | undefined {
  const id = scheduledRunId(backfill.dagId, logicalDate);
  const existing = ownValue(state.runs, id) ?? context.book.getRun(id);
  const { commit, snapshot } = dag;
  if (!existing) {
    const run = newRun(dag.definition, {
      id,
      trigger: "backfill",
      logicalDate,
      conf: structuredClone(backfill.conf),
      commit,
      snapshot,
      now,
    });
    return { ...run, backfillId: backfill.id };
  }
  const final = existing.state === "success" || existing.state === "failed";
  const rerun = backfill.rerun === "all" || (backfill.rerun === "failed" && existing.state === "failed");
  if (!final || !rerun) return undefined;
  return rerunOf(existing, dag.definition, { backfill, commit, snapshot, now });
}

/**
 * An existing finished run made to run again in full: every task cleared (keeping its try
 * numbers, so earlier tries and their logs stay), with the backfill's conf and the DAG as it is now.
 */
export function rerunOf(
  existing: Run,
  definition: DagDefinition,
  with_: { backfill: Backfill; commit: string | null; snapshot: string; now: Date },
): Run {
  const {
    definition: _definition,
    definitionKey: _key,
    reason: _reason,
    ...copy
  } = structuredClone(existing);
  const byId = new Map(copy.tasks.map((task) => [task.id, task]));
  const run: Run = {
    ...copy,
    tasks: definition.tasks.map((task) => byId.get(task.id) ?? newTaskInstance(task.id, task.retries)),
    conf: structuredClone(with_.backfill.conf),
    commit: with_.commit,
    snapshot: with_.snapshot,
    backfillId: with_.backfill.id,
    notes: [],
    definition,
  };
  for (const task of definition.tasks) clearTask(run, definition.tasks, task.id);
  return { ...run, state: "queued", queuedAt: with_.now.toISOString(), startedAt: null, endedAt: null };
}
