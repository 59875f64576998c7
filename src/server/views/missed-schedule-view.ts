import type { DagState } from "../../runs/active-state.ts";
import type { Run } from "../../runs/run-model.ts";

/** How many of a DAG's newest runs are looked at for one that started after the missed date. */
export const RUNS_TO_CLEAR_MISSED = 5;

/**
 * A DAG's newest missed-schedule alert while it still stands (`missedSchedule` in the API, the
 * badge on the page): until a scheduled run of a later logical date has started.
 */
export function missedScheduleView(
  state: DagState | undefined,
  newestRuns: readonly Run[],
): { logicalDate: string; kind: "start" | "finish"; reason: string } | null {
  const missed = state?.missedSchedule;
  if (!missed) return null;
  const recovered = newestRuns.some(
    (run) => run.trigger !== "manual" && run.startedAt !== null && run.logicalDate > missed.logicalDate,
  );
  return recovered ? null : { logicalDate: missed.logicalDate, kind: missed.kind, reason: missed.reason };
}
