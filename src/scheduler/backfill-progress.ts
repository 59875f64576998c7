import type { ActiveState } from "../runs/active-state.ts";
import type { Run } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import type { Backfill } from "../runs/backfill-model.ts";

/** Finished backfills kept in the state file, newest first; older ones are dropped. */
export const FINISHED_BACKFILLS_KEPT = 50;

/**
 * Counts a run a backfill handed out that has ended (or vanished: counted failed) and frees its
 * slot. Idempotent: a run is counted once, when its id leaves `active`.
 */
export function settleBackfillRun(backfill: Backfill, runId: string, run: Run | undefined): void {
  const index = backfill.active.indexOf(runId);
  if (index < 0) return;
  backfill.active.splice(index, 1);
  if (run?.state === "success") backfill.succeeded++;
  else backfill.failed++;
}

/** Ends a running backfill whose dates are all handed out and whose runs are all counted. */
export function finishBackfillIfDone(backfill: Backfill, now: Date): void {
  if (backfill.state !== "running" || backfill.active.length > 0) return;
  if (backfill.created + backfill.kept < backfill.planned) return;
  backfill.state = backfill.failed > 0 ? "failed" : "success";
  backfill.endedAt = now.toISOString();
}

/**
 * Counts the runs of `finished` that backfills handed out, in the same state change that shows
 * them final (a step's update); true if any was counted (a slot is free: the loop should tick).
 */
export function settleFinishedRuns(state: ActiveState, finished: readonly Run[], now: Date): boolean {
  let settled = false;
  for (const run of finished) {
    const backfill = run.backfillId === undefined ? undefined : ownValue(state.backfills, run.backfillId);
    if (!backfill?.active.includes(run.id)) continue;
    settleBackfillRun(backfill, run.id, run);
    finishBackfillIfDone(backfill, now);
    settled = true;
  }
  return settled;
}

/** Drops finished backfills beyond the newest FINISHED_BACKFILLS_KEPT (by end time). */
export function pruneFinishedBackfills(state: ActiveState): void {
  const finished = Object.values(state.backfills)
    .filter((backfill) => backfill.state !== "running")
    .sort((a, b) => ((a.endedAt ?? "") < (b.endedAt ?? "") ? 1 : -1));
  for (const old of finished.slice(FINISHED_BACKFILLS_KEPT)) delete state.backfills[old.id];
}
