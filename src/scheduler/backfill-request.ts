import { randomBytes } from "node:crypto";
import type { ActiveDag } from "../dags/active-dags.ts";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import { resolveConf } from "../dags/spec/params-schema.ts";
import { initialDagState } from "./run-planner.ts";
import { SchedulerError } from "./scheduler-error.ts";
import type { SchedulerParts } from "./scheduler-options.ts";
import { ownValue } from "../store/id-record.ts";
import type { Backfill, BackfillInput } from "../runs/backfill-model.ts";
import { pruneFinishedBackfills } from "./backfill-progress.ts";
import { MAX_BACKFILL_DATES, countRangeTicks, rangeTime } from "./backfill-range.ts";

/** At most this many backfills run at once (over it: 429). */
export const MAX_RUNNING_BACKFILLS = 20;

/** A backfill checked against its DAG, not yet stored (no id, no time). */
export type CheckedBackfill = Pick<
  Backfill,
  "dagId" | "from" | "to" | "rerun" | "reverse" | "maxActiveRuns" | "conf" | "planned"
> & { definition: DagDefinition };

/**
 * Checks a backfill of `dag` and counts its logical dates. Run outside the scheduler's queue: a
 * year of hourly dates takes a while to count (in chunks, so the loop runs meanwhile). Refuses with
 * a SchedulerError: an unknown DAG, one without a schedule, a bad range or conf.
 */
export async function checkBackfill(
  dag: ActiveDag | undefined,
  dagId: string,
  input: BackfillInput,
): Promise<CheckedBackfill> {
  if (!dag) throw new SchedulerError("not_found", `no DAG with id "${dagId}"`);
  const definition = dag.definition;
  if (definition.schedule === null)
    throw new SchedulerError(
      "bad_request",
      `DAG "${dagId}" has no schedule (schedule: null), so it has no logical dates to backfill; trigger runs instead`,
    );
  const zone = definition.timezone;
  const problems: string[] = [];
  const from = rangeTime(input.from, zone);
  const to = rangeTime(input.to, zone, "to");
  for (const [field, value, time] of [
    ["from", input.from, from],
    ["to", input.to, to],
  ] as const)
    if (!time)
      problems.push(
        `${field}: ${JSON.stringify(value.slice(0, 40))} is not an ISO date or date-time (e.g. "2026-11-01" or "2026-11-01T06:00"), read in the DAG's time zone ${zone}`,
      );
  if (from && to && to < from) problems.push(`to: must not be before from (${from.toISOString()})`);
  const conf = resolveConf(definition.params, input.conf);
  if (!conf.ok) problems.push(...conf.problems.map((problem) => `conf: ${problem}`));
  if (problems.length > 0 || !from || !to || !conf.ok)
    throw new SchedulerError("bad_request", problems.join("; "));
  const planned = await countRangeTicks(definition, from, to);
  if (planned === 0)
    throw new SchedulerError(
      "bad_request",
      `the schedule "${definition.schedule}" (${zone}) has no logical dates from ${from.toISOString()} to ${to.toISOString()}; widen the range`,
    );
  if (planned > MAX_BACKFILL_DATES)
    throw new SchedulerError(
      "bad_request",
      `the range holds more than ${MAX_BACKFILL_DATES} logical dates of "${definition.schedule}"; split it into smaller backfills`,
    );
  return {
    dagId,
    definition,
    from: from.toISOString(),
    to: to.toISOString(),
    rerun: input.rerun,
    reverse: input.reverse,
    maxActiveRuns: input.maxActiveRuns ?? definition.maxActiveRuns,
    conf: conf.conf,
    planned,
  };
}

/** Stores a checked backfill (its runs are created by the loop, a few per tick); 429 over MAX_RUNNING_BACKFILLS. */
export async function startBackfill(
  parts: SchedulerParts,
  checked: CheckedBackfill,
  actor: string | undefined,
): Promise<Backfill> {
  const { definition, ...fields } = checked;
  if (!parts.registry.get(checked.dagId))
    throw new SchedulerError("not_found", `no DAG with id "${checked.dagId}"`);
  const running = Object.values(parts.store.state.backfills).filter((b) => b.state === "running").length;
  if (running >= MAX_RUNNING_BACKFILLS)
    throw new SchedulerError(
      "too_many_queued_runs",
      `${running} backfills are running (at most ${MAX_RUNNING_BACKFILLS}); wait for one to end or cancel one`,
    );
  const now = parts.now;
  const backfill: Backfill = {
    ...fields,
    id: `${checked.dagId}__backfill__${compactTime(now)}_${randomBytes(3).toString("hex")}`,
    state: "running",
    createdAt: now.toISOString(),
    ...(actor === undefined ? {} : { createdBy: actor }),
    endedAt: null,
    cursor: null,
    active: [],
    created: 0,
    kept: 0,
    succeeded: 0,
    failed: 0,
  };
  await parts.store.update((state) => {
    state.dags[checked.dagId] ??= initialDagState(definition, now);
    state.backfills[backfill.id] = backfill;
  });
  return structuredClone(backfill);
}

/**
 * Cancels a running backfill: runs not yet created never are; the runs it has under way finish
 * (and are counted). Refuses a backfill that has ended.
 */
export async function cancelBackfill(parts: SchedulerParts, id: string, actor: string): Promise<Backfill> {
  const found = ownValue(parts.store.state.backfills, id);
  if (!found) throw new SchedulerError("not_found", `no backfill with id "${id}"`);
  if (found.state !== "running")
    throw new SchedulerError("conflict", `backfill "${id}" has already ended (${found.state})`);
  let cancelled: Backfill | undefined;
  await parts.store.update((state) => {
    cancelled = ownValue(state.backfills, id);
    if (!cancelled) return;
    cancelled.state = "cancelled";
    cancelled.endedAt = parts.now.toISOString();
    cancelled.reason = `cancelled by ${actor}`;
    pruneFinishedBackfills(state);
  });
  if (!cancelled) throw new SchedulerError("not_found", `no backfill with id "${id}"`);
  return structuredClone(cancelled);
}

function compactTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}
