import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState, DagState } from "../runs/active-state.ts";
import { ownValue } from "../store/id-record.ts";
import { recentScheduleTimes } from "./next-run.ts";
import { newTaskInstance, type Run, type RunTrigger } from "../runs/run-model.ts";
import { isoTime } from "../runs/iso-time.ts";

/** Catch-up creates at most this many runs per DAG at once; older missed intervals are skipped and recorded. */
export const DEFAULT_CATCHUP_BOUND = 50;

export interface ScheduledPlan {
  /** Logical dates to create runs for, oldest first. */
  create: Array<{ logicalDate: Date; trigger: RunTrigger }>;
  skip: Array<{ logicalDate: Date; reason: string }>;
  /** Active runs to cancel first (`replace` policy). */
  replace: string[];
  lastScheduledAt: Date | null;
}

/** A new DAG's scheduling state: without catch-up its first run is the next tick, not one in the past. */
export function initialDagState(dag: DagDefinition, now: Date): DagState {
  return {
    paused: dag.pausedOnCreation,
    lastScheduledAt: dag.catchup ? null : now.toISOString(),
    skipped: [],
  };
}

/** Pauses or unpauses a DAG, giving it its first state if it has none. */
export function setDagPaused(state: ActiveState, dag: DagDefinition, paused: boolean, now: Date): void {
  state.dags[dag.id] = { ...(ownValue(state.dags, dag.id) ?? initialDagState(dag, now)), paused };
}

/**
 * Which scheduled runs are due for one DAG at `now`: with catch-up, every missed interval since
 * the last run (or startDate), oldest first, at most `bound` (the newest; the rest are recorded
 * as skipped); without, only the latest due interval. The concurrency policy decides what happens
 * while runs are still active: allow (queue), forbid (skip and record), replace (cancel them).
 */
export function planScheduledRuns(
  dag: DagDefinition,
  state: DagState,
  activeRuns: readonly Run[],
  now: Date,
  bound = DEFAULT_CATCHUP_BOUND,
  /** The due times newest first, when the caller already knows them (saves the cron walk). */
  knownDue?: readonly Date[],
): ScheduledPlan {
  const after = state.lastScheduledAt ? new Date(state.lastScheduledAt) : null;
  const plan: ScheduledPlan = { create: [], skip: [], replace: [], lastScheduledAt: after };
  if (state.paused || dag.schedule === null) return plan;
  const limit = dag.catchup ? bound + 1 : 2;
  const due = knownDue ?? recentScheduleTimes(dag, after, now, limit);
  const newest = due[0];
  if (!newest) return plan;
  plan.lastScheduledAt = newest;
  const kept = dag.catchup ? due.slice(0, bound) : [newest];
  const newestSkipped = due[kept.length];
  if (newestSkipped) {
    const oldestKept = kept[kept.length - 1] ?? newest;
    // The skip names an interval that was not created (the newest of those), not one that was.
    plan.skip.push({
      logicalDate: newestSkipped,
      reason: dag.catchup
        ? `more than ${bound} missed intervals: ran the newest ${bound}, skipped older ones (before ${oldestKept.toISOString()})`
        : `catchup is off: ran only the latest due interval, skipped older missed ones`,
    });
  }
  const ordered = [...kept].reverse();
  const active = activeRuns.filter(
    (run) => run.dagId === dag.id && (run.state === "queued" || run.state === "running"),
  );
  for (const logicalDate of ordered) {
    const trigger: RunTrigger = logicalDate === newest ? "scheduled" : "catchup";
    if (active.length > 0 && dag.concurrencyPolicy === "forbid") {
      plan.skip.push({
        logicalDate,
        reason: `concurrencyPolicy forbid: run ${active[0]?.id} is still active`,
      });
      continue;
    }
    plan.create.push({ logicalDate, trigger });
  }
  if (dag.concurrencyPolicy === "replace" && plan.create.length > 0) {
    plan.replace = active.map((run) => run.id);
    // Replacing means only the newest run survives.
    plan.create = plan.create.slice(-1);
  }
  return plan;
}

/** Scheduled run ids are deterministic, so creating the same interval twice is a no-op. */
export function scheduledRunId(dagId: string, logicalDate: Date): string {
  return `${dagId}__scheduled__${compactTime(logicalDate)}`;
}

/** A manual run of a DAG, triggered at `now` (its logical date), by `by` when known. */
export function manualRun(
  dag: { definition: DagDefinition; commit: string | null; snapshot: string },
  conf: Record<string, unknown>,
  now: Date,
  nonce: string,
  by?: string,
): Run {
  const id = manualRunId(dag.definition.id, now, nonce);
  const { commit, snapshot } = dag;
  const run = newRun(dag.definition, {
    id,
    trigger: "manual",
    logicalDate: now,
    conf,
    commit,
    snapshot,
    now,
  });
  return by === undefined ? run : { ...run, triggeredBy: by };
}

export function manualRunId(dagId: string, at: Date, nonce: string): string {
  return `${dagId}__manual__${compactTime(at)}_${nonce}`;
}

export function newRun(
  dag: DagDefinition,
  fields: {
    id: string;
    trigger: RunTrigger;
    logicalDate: Date;
    conf: Record<string, unknown>;
    commit: string | null;
    snapshot: string;
    now: Date;
  },
): Run {
  return {
    id: fields.id,
    dagId: dag.id,
    state: "queued",
    trigger: fields.trigger,
    logicalDate: isoTime(fields.logicalDate),
    conf: fields.conf,
    commit: fields.commit,
    snapshot: fields.snapshot,
    queuedAt: isoTime(fields.now),
    startedAt: null,
    endedAt: null,
    notes: [],
    tasks: dag.tasks.map((task) => newTaskInstance(task.id, task.retries)),
    definition: dag,
  };
}

function compactTime(date: Date): string {
  const ms = date.getTime();
  // Every DAG due in one second has the same logical date: made once, not once per run.
  if (ms !== lastCompact.ms)
    lastCompact = {
      ms,
      text: isoTime(date)
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z"),
    };
  return lastCompact.text;
}

let lastCompact = { ms: Number.NaN, text: "" };
