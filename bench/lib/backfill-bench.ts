/**
 * The backfill figures of `npm run bench:scheduler`: the time to plan a backfill of one year of
 * hourly runs (8,760) of one DAG, and how late other DAGs' due runs start while it runs, against a
 * baseline without it measured in the same process.
 */
import path from "node:path";
import type { DagRegistry } from "../../src/dags/dag-registry.ts";
import type { DagSet } from "../../src/dags/dag-set.ts";
import type { Executor, TaskKey } from "../../src/executor/executor.ts";
import type { Scheduler } from "../../src/scheduler/scheduler.ts";
import type { RunStore } from "../../src/store/run-store.ts";

export interface BenchParts {
  setup(
    dir: string,
    clock: () => number,
    options?: { keepRuns?: number },
  ): Promise<{
    store: RunStore;
    registry: DagRegistry;
    executor: Executor & { starts: Array<{ key: TaskKey; at: number }> };
    scheduler: Scheduler;
  }>;
  dagSet(schedule: string | null, count: number, tasks: number): DagSet;
  percentile(sorted: number[], p: number): number;
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<void>;
}

const OTHER_DAGS = 200;
const BACKFILL_DAG = "backfill_hourly";

/** Due runs of OTHER_DAGS every-minute DAGs, with or without the backfill going on: start lag (ms), sorted. */
async function lagAt(
  parts: BenchParts,
  dir: string,
  withBackfill: boolean,
): Promise<{ lag: number[]; planMs?: number; backfill?: () => Record<string, unknown> }> {
  // The scheduler's clock runs 3 s before the next whole minute: the backfill is well under way when it strikes.
  const realStart = Date.now();
  const nextMinute = Math.ceil((realStart + 60_000) / 60_000) * 60_000;
  const offset = nextMinute - 3000 - realStart;
  const clock = () => Date.now() + offset;
  const { store, registry, executor, scheduler } = await parts.setup(dir, clock, { keepRuns: 100 });
  const others = parts.dagSet("* * * * *", OTHER_DAGS, 1);
  const hourly = parts.dagSet("0 * * * *", 1, 1).dags.map((entry) => ({
    ...entry,
    file: `${BACKFILL_DAG}.ts`,
    dag: { ...entry.dag, id: BACKFILL_DAG, maxActiveRuns: 16 },
  }));
  registry.apply(
    { ...others, dags: [...others.dags, ...hourly] },
    { commit: null, snapshot: "/bench", prefix: "" },
  );
  await scheduler.start();
  let planMs: number | undefined;
  let backfillId = "";
  if (withBackfill) {
    const started = performance.now();
    const backfill = await scheduler.backfill(BACKFILL_DAG, {
      from: "2025-01-01",
      to: "2025-12-31",
      conf: {},
      reverse: false,
      rerun: "missing",
    });
    planMs = performance.now() - started;
    backfillId = backfill.id;
    if (backfill.planned !== 8760) throw new Error(`planned ${backfill.planned} dates, not 8,760`);
  }
  const isOther = (key: TaskKey) => key.dagId !== BACKFILL_DAG;
  await parts.waitUntil(
    () => executor.starts.filter((start) => isOther(start.key)).length >= OTHER_DAGS,
    60_000,
  );
  const lag = executor.starts
    .filter((start) => isOther(start.key))
    .map((start) => start.at - nextMinute)
    .sort((a, b) => a - b);
  const backfill = () => ({ ...store.state.backfills[backfillId] });
  if (withBackfill) {
    const progress = backfill();
    if (typeof progress.succeeded !== "number" || progress.succeeded === 0)
      throw new Error("the backfill had not run anything when the other DAGs were due");
  }
  await scheduler.stop();
  return { lag, ...(planMs === undefined ? {} : { planMs, backfill }) };
}

/** Rounds of baseline and loaded measurements, alternated: the median of each is printed (a busy machine is noisy). */
const ROUNDS = 3;

/** Prints the backfill lines. */
export async function backfillBenchmark(parts: BenchParts, dir: string): Promise<void> {
  const p99 = (lag: number[]) => parts.percentile(lag, 99);
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const baseline: number[] = [];
  const loaded: number[] = [];
  const planMs: number[] = [];
  const succeeded: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baseline.push(p99((await lagAt(parts, path.join(dir, `baseline-${round}`), false)).lag));
    const during = await lagAt(parts, path.join(dir, `loaded-${round}`), true);
    loaded.push(p99(during.lag));
    planMs.push(during.planMs ?? Number.NaN);
    succeeded.push(Number(during.backfill?.().succeeded ?? 0));
  }
  console.log(
    `backfill of 1 year of hourly runs (8,760 dates, maxActiveRuns 16): planned in ${median(planMs).toFixed(0)} ms (median of ${ROUNDS}); ${median(succeeded)} runs succeeded in the 3 s before the other DAGs were due`,
  );
  const ratio = Math.max(1, median(loaded)) / Math.max(1, median(baseline));
  console.log(
    `scheduler lag of ${OTHER_DAGS} other DAGs due at once, p99 (median of ${ROUNDS}): ${median(baseline)} ms without, ${median(loaded)} ms during the backfill; ratio ${ratio.toFixed(2)}x   target <= 2x: ${ratio <= 2 ? "PASS" : "MISS"}`,
  );
}
