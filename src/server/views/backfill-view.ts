import type { Backfill } from "../../runs/backfill-model.ts";

/** A backfill as the API shows it: the record, with its progress counts and the runs under way. */
export function backfillView(backfill: Backfill) {
  const { active, ...rest } = backfill;
  return { ...rest, backfillId: backfill.id, activeRuns: [...active], active: active.length };
}
