import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import type { ActiveState, DagState } from "../runs/active-state.ts";
import type { MissedDate, MissedSchedule } from "../runs/missed-schedule.ts";
import type { Run } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import { durationText } from "./duration-text.ts";
import { nextRunAfter, recentScheduleTimes, scheduleTimes } from "./next-run.ts";
import type { ScheduledDag, TickContext } from "./plan-tick.ts";
import { scheduledRunId } from "./run-planner.ts";

export type { MissedSchedule };

/** A check looks at most this many of the newest unchecked ticks per DAG (older ones are passed over). */
const TICKS_PER_CHECK = 100;

type Verdict =
  { missed: false; pending: boolean } | { missed: true; kind: "start" | "finish"; summary: string };

/**
 * The scheduled runs of DAGs with `expectedWithin`/`finishWithin` that are late now and were not
 * alerted yet; records them as alerted in the state (`DagState.missedAlertedThrough`, and the
 * newest alert in `DagState.missedSchedule`), so a restart does not alert twice. Ticks before the
 * daemon first checked the DAG are never alerted. Pure: `now` is given.
 */
export function findMissedSchedules(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
  context: Pick<TickContext, "book">,
): MissedSchedule[] {
  const missed: MissedSchedule[] = [];
  for (const { definition } of dags) {
    const dagState = ownValue(state.dags, definition.id);
    if (!dagState) continue;
    if (!checksMissed(definition)) {
      // Checks turned off: turned on again, they start from then, not from the last check. (Most
      // DAGs never had them: no array, no delete for each of 10,000 DAGs on every tick.)
      if (
        "missedAlertedThrough" in dagState ||
        "missedCheckedSchedule" in dagState ||
        "missedSchedule" in dagState
      ) {
        delete dagState.missedAlertedThrough;
        delete dagState.missedCheckedSchedule;
        delete dagState.missedSchedule;
      }
      continue;
    }
    const allowances = allowancesOf(definition);
    // A schedule changed (a commit) has no past ticks that were due: it is checked from now on.
    // (A watermark stored without its schedule is taken as of the current one.)
    const schedule = `${definition.schedule} ${definition.timezone}`;
    const changed = (dagState.missedCheckedSchedule ?? schedule) !== schedule;
    dagState.missedCheckedSchedule = schedule;
    if (dagState.missedAlertedThrough === undefined || changed) {
      dagState.missedAlertedThrough = now.toISOString();
      continue;
    }
    const ticks = recentScheduleTimes(
      definition,
      new Date(dagState.missedAlertedThrough),
      new Date(now.getTime() - Math.min(...allowances)),
      TICKS_PER_CHECK,
    ).reverse();
    let through: Date | undefined;
    let pendingBefore = false;
    let newest: { tick: Date; verdict: Verdict & { missed: true } } | undefined;
    let count = 0;
    const dates: MissedDate[] = [];
    for (const tick of ticks) {
      const runId = scheduledRunId(definition.id, tick);
      const run = ownValue(state.runs, runId) ?? context.book.getRun(runId);
      const verdict = judge(definition, dagState, tick, run, now);
      if (verdict.missed) {
        // Alerted now: an earlier tick still pending (a slow run's finishWithin) is passed over,
        // as the DAG is alerting already.
        count += 1;
        dates.push(missedDate(tick, verdict));
        newest = { tick, verdict };
        through = tick;
      } else if (verdict.pending) pendingBefore = true;
      else if (!pendingBefore) through = tick;
    }
    if (through) dagState.missedAlertedThrough = through.toISOString();
    if (!newest) continue;
    const logicalDate = newest.tick.toISOString();
    const { kind, summary } = newest.verdict;
    const { reason } = missedDate(newest.tick, newest.verdict);
    dagState.missedSchedule = { logicalDate, kind, reason, at: now.toISOString() };
    missed.push({
      dagId: definition.id,
      logicalDate,
      kind,
      reason,
      summary,
      count,
      dates: dates.slice(-TICKS_PER_CHECK),
      timezone: definition.timezone,
      onFailureUrl: definition.onFailure?.url ?? null,
      onMissedSchedule: definition.notify?.onMissedSchedule ?? [],
    });
  }
  return missed;
}

function missedDate(tick: Date, verdict: Verdict & { missed: true }): MissedDate {
  const logicalDate = tick.toISOString();
  const { kind, summary } = verdict;
  return { logicalDate, kind, summary, reason: summary.replace(/^(.*?within \S+)/, `$1 of ${logicalDate}`) };
}

/** When the next missed-schedule check is due (a tick plus its allowance), if any DAG asks for one. */
export function nextMissedScheduleCheck(
  state: ActiveState,
  dags: readonly ScheduledDag[],
  now: Date,
): number | undefined {
  let next: number | undefined;
  for (const { definition } of dags) {
    const dagState = ownValue(state.dags, definition.id);
    const allowances = allowancesOf(definition);
    if (!dagState?.missedAlertedThrough || allowances.length === 0) continue;
    const checkedThrough = Date.parse(dagState.missedAlertedThrough);
    for (const allowance of allowances) {
      // The oldest tick whose allowance ends after now (ticks checked already are done).
      const after = new Date(Math.max(checkedThrough, now.getTime() - allowance));
      const tick = scheduleTimes(definition, after, now, 1)[0] ?? nextRunAfter(definition, now);
      const due = tick ? tick.getTime() + allowance : undefined;
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
  }
  return next;
}

/** Whether a DAG asks for missed-schedule alerts (`allowancesOf` is not empty, and it has a schedule). */
function checksMissed(definition: DagDefinition): boolean {
  if (definition.schedule === null) return false;
  const { expectedWithinMs: start, finishWithinMs: finish } = definition;
  return (typeof start === "number" && start > 0) || (typeof finish === "number" && finish > 0);
}

function allowancesOf(definition: DagDefinition): number[] {
  return [definition.expectedWithinMs, definition.finishWithinMs].filter(
    (ms): ms is number => typeof ms === "number" && ms > 0,
  );
}

/** Whether the run of `tick` is late now (and why), in time, or not decided yet. */
function judge(
  definition: DagDefinition,
  dagState: DagState,
  tick: Date,
  run: Run | undefined,
  now: Date,
): Verdict {
  let pending = false;
  const checks: Array<["start" | "finish", number | null, string | null | undefined]> = [
    ["start", definition.expectedWithinMs, run?.startedAt],
    ["finish", definition.finishWithinMs, run?.endedAt],
  ];
  for (const [kind, withinMs, doneAt] of checks) {
    if (!withinMs) continue;
    const deadline = tick.getTime() + withinMs;
    if (doneAt && Date.parse(doneAt) <= deadline) continue;
    if (now.getTime() < deadline) {
      pending = true;
      continue;
    }
    const what = kind === "start" ? "no run started" : "run not finished";
    return {
      missed: true,
      kind,
      summary: `${what} within ${durationText(withinMs)} (${cause(kind, definition, dagState, tick, run)})`,
    };
  }
  return { missed: false, pending };
}

/** Why a run is late, as far as the state tells. */
function cause(
  kind: "start" | "finish",
  definition: DagDefinition,
  dagState: DagState,
  tick: Date,
  run: Run | undefined,
): string {
  if (!run) {
    if (dagState.paused) return "DAG paused";
    const skip = dagState.skipped.findLast((entry) => Date.parse(entry.logicalDate) === tick.getTime());
    if (skip) return `skipped: ${skip.reason}`;
    return definition.catchup ? "no run created" : "no run created: catch-up is off";
  }
  if (run.state === "queued") {
    if (dagState.paused) return "DAG paused";
    // Its ready tries wait for a pool slot (their reason says which), not for maxActiveRuns.
    const pooled = run.tasks.find((task) => task.reason?.startsWith("waiting for pool "));
    if (pooled?.reason) return pooled.reason;
    return `queued behind maxActiveRuns (${definition.maxActiveRuns})`;
  }
  if (!run.startedAt) return `run ${run.state} without starting${run.reason ? `: ${run.reason}` : ""}`;
  if (kind === "start") return `started late, at ${run.startedAt}`;
  if (!run.endedAt) return `still running, started ${run.startedAt}`;
  return `${run.state} late, at ${run.endedAt}`;
}
