import type { ActiveDag } from "../dags/active-dags.ts";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";
import { paramDefaults } from "../dags/spec/params-schema.ts";
import type { ActiveState, DagState } from "../runs/active-state.ts";
import { isoTime } from "../runs/iso-time.ts";
import type { Run } from "../runs/run-model.ts";
import { ownValue } from "../store/id-record.ts";
import type { RunStore } from "../store/run-store.ts";
import type { GivenText } from "../store/active-state-file.ts";
import type { TextAhead } from "../store/text-ahead.ts";
import type { Advance, Launch, TickContext } from "./plan-tick.ts";
import { warmUpDefinitions } from "./idle-warm-up.ts";
import { advanceRun } from "./run-progress.ts";
import { DEFAULT_CATCHUP_BOUND, newRun, planScheduledRuns, scheduledRunId } from "./run-planner.ts";
import { taskLaunchOf } from "./task-launch.ts";

/** Where a prepared run's times go until it is created: no run is created in year 1. */
const PLACEHOLDER = new Date("0001-01-01T00:00:00.000Z");
const PLACEHOLDER_ISO = PLACEHOLDER.toISOString();
/** DAGs prepared per turn of the event loop: a request (or the tick) waits for one chunk at most. */
const CHUNK = 500;
/** A pass that saw the state change is done again this long before the due second. */
const RECHECK_BEFORE_MS = 300;
/** setTimeout's longest delay: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface DuePreparationOptions {
  store: Pick<
    RunStore,
    | "state"
    | "changesApplied"
    | "stateCopyOf"
    | "runTextAhead"
    | "addStateCopy"
    | "dagTextAhead"
    | "giveDagText"
  >;
  registry: { get(id: string): ActiveDag | undefined };
  context: TickContext;
  logsDir: string;
  now: () => Date;
}

/** A scheduled run made ahead of its due second, with what creating it at that second changes. */
interface PreparedRun {
  dag: ActiveDag;
  dagState: DagState;
  /** The DAG's state as it was when prepared: the run is what planning would create only if it still is. */
  lastScheduledAt: string;
  logicalIso: string;
  /** As newRun makes it: what `run:created` carries. */
  created: Run;
  /** Active state's copy, advanced (its first tries queued) as advanceRuns advances a new run. */
  copy: Run;
  ahead: TextAhead;
  /** The DAG state's text once lastScheduledAt is the run's logical date, when it could be made. */
  dagAhead: GivenText | undefined;
  /** The DAG's due time after this one. */
  following: number;
  launches: Launch[];
}

/** The step a due second's prepared runs make: they are created, stored and started first. */
export type PreparedStep = Advance & { created: Run[] };

/**
 * The due second, prepared while the loop is idle. After a tick that sleeps until some DAGs are
 * due, their runs are made ahead (newRun, the first advance, the executor launches, the JSON text
 * the store will append) with a placeholder for the creation time. At the due second `take` checks,
 * per DAG, that nothing planning reads has changed since (the same loaded DAG and DAG state, no run
 * or running backfill of the DAG, the run id unused, the same due times and executor notes), puts
 * the time in, and adds the runs: the due step is then the store's append and the starts. A DAG
 * that does not qualify, or no longer does, is planned by the tick as before (planTickActions runs
 * right after, and finds the prepared DAGs not due). Qualifying: a single due interval, no pool on
 * its tasks, no concurrency with an earlier run (none is active), its first tries start at once.
 */
export class DuePreparation {
  readonly #o: DuePreparationOptions;
  #at = Number.NaN;
  #dags: readonly ActiveDag[] = [];
  #runs: PreparedRun[] = [];
  /** The DAGs of `#runs`. */
  #prepared = new Set<string>();
  /** Moves on at each pass or clear: a chunk of an older pass then stops. */
  #generation = 0;
  /**
   * The store's state and count of changes applied a whole pass saw (every prepared run checked or made against
   * them): if the due second finds them still, no prepared run needs its checks (nothing was
   * written since, and the loaded DAGs are the same objects). Undefined while a pass is under way.
   */
  #steady: { data: ActiveState; changes: number } | undefined;
  #recheck: NodeJS.Timeout | undefined;

  constructor(options: DuePreparationOptions) {
    this.#o = options;
  }

  /**
   * After a tick that sleeps until `at` (epoch ms): what every start asks of a definition is worked
   * out (idle-warm-up.ts), then the runs due at `at` are prepared, a chunk per turn of the loop.
   * For the same `at` and DAGs, a pass keeps what still holds and prepares the DAGs not prepared
   * yet (a run active at the last pass may have ended since); so does a wake-up due earlier than
   * the second prepared (a retry, a timeout), whose tick plans what is due then as before.
   */
  afterTick(at: number, dags: readonly ActiveDag[]): void {
    warmUpDefinitions(dags);
    const store = this.#o.store;
    // A wake-up before the prepared second (a retry, a timeout) keeps it: the loop sleeps until it next.
    const keep = at === this.#at || (at < this.#at && this.#runs.length > 0);
    if (!keep || !sameDags(dags, this.#dags)) {
      this.clear();
      this.#at = at;
      this.#dags = dags;
    } else if (this.#steady?.data === store.state && this.#steady.changes === store.changesApplied) return;
    this.#pass();
  }

  /**
   * Checks what was prepared, drops what no longer holds and prepares the DAGs not prepared, a
   * chunk per turn of the loop. A pass during which the state changed (a burst of writes at start,
   * say), or after which it changed, leaves the due second to check run by run; one more pass,
   * shortly before it, may find the state settled.
   */
  #pass(): void {
    clearTimeout(this.#recheck);
    const at = this.#at;
    const dags = this.#dags;
    const store = this.#o.store;
    const generation = ++this.#generation;
    const seen = { data: store.state, changes: store.changesApplied };
    this.#steady = undefined;
    let next = -1;
    // Listed again only when a change was applied since (not per chunk: 20 chunks at 10,000 DAGs).
    let busyAt = { data: undefined as ActiveState | undefined, changes: Number.NaN, busy: new Set<string>() };
    const chunk = () => {
      if (generation !== this.#generation) return;
      const state = store.state;
      if (busyAt.data !== state || busyAt.changes !== store.changesApplied)
        busyAt = { data: state, changes: store.changesApplied, busy: dagsWithWork(state) };
      const busy = busyAt.busy;
      let whole = seen.data === state && seen.changes === store.changesApplied;
      // First what was prepared before: what no longer holds is dropped (and prepared again below).
      if (next < 0) {
        this.#runs = this.#runs.filter((prepared) => this.#holds(prepared, at, state, busy, at));
        this.#prepared = new Set(this.#runs.map((prepared) => prepared.dag.definition.id));
        next = 0;
      }
      const notes = new Map<DagDefinition, readonly string[]>();
      const end = Math.min(next + CHUNK, dags.length);
      for (; next < end; next++) {
        const dag = dags[next] as ActiveDag;
        if (this.#prepared.has(dag.definition.id)) continue;
        const prepared = this.#prepareOne(dag, at, state, busy, notes);
        if (!prepared) continue;
        this.#runs.push(prepared);
        this.#prepared.add(dag.definition.id);
      }
      whole &&= seen.data === store.state && seen.changes === store.changesApplied;
      if (!whole) seen.changes = Number.NaN;
      if (next < dags.length) return void setImmediate(chunk);
      if (whole) this.#steady = seen;
      // Not after a whole pass that prepared nothing (a wake-up with nothing due): nothing to keep steady.
      if (!whole || this.#runs.length > 0) this.#recheckBefore(at, generation);
    };
    setImmediate(chunk);
  }

  /**
   * One more pass RECHECK_BEFORE_MS before `at`, if there is time for it, none came since, and the
   * state changed after the last pass (runs of other DAGs ended, a request): else the due second
   * checks each prepared run.
   */
  #recheckBefore(at: number, generation: number): void {
    const delay = at - RECHECK_BEFORE_MS - this.#o.now().getTime();
    // Over MAX_TIMEOUT_MS (a clock gone back weeks) setTimeout would fire at once, and pass again at once.
    if (delay <= 0 || delay > MAX_TIMEOUT_MS) return;
    this.#recheck = setTimeout(() => {
      const steady = this.#steady;
      const store = this.#o.store;
      if (generation !== this.#generation) return;
      if (steady?.data !== store.state || steady.changes !== store.changesApplied) this.#pass();
    }, delay);
    this.#recheck.unref?.();
  }

  /** Whether prepared runs wait for `now` (their due second has come). */
  ready(now: Date): boolean {
    return this.#runs.length > 0 && now.getTime() >= this.#at;
  }

  /**
   * In a store update at the due second: creates the prepared runs that still qualify, with `now`
   * as their creation time, and returns them as a step (the tries to start, the runs started).
   */
  take(state: ActiveState, now: Date, dags: readonly ActiveDag[]): PreparedStep {
    const step: PreparedStep = { created: [], launches: [], started: [], finished: [], newlyFinished: [] };
    // Not before the due second (planning would not create them yet): they are kept for it.
    if (!this.ready(now)) return step;
    const runs = this.#runs;
    const at = this.#at;
    const steady =
      this.#steady?.data === state &&
      this.#steady.changes === this.#o.store.changesApplied &&
      sameDags(dags, this.#dags);
    this.clear();
    const busy = steady ? undefined : dagsWithWork(state);
    const stamp = isoTime(now);
    const store = this.#o.store;
    for (const prepared of runs) {
      // Steady: only the clock may have moved (a tick late by a whole interval plans it anew).
      if (busy ? !this.#holds(prepared, at, state, busy, now.getTime()) : prepared.following <= now.getTime())
        continue;
      prepared.dagState.lastScheduledAt = prepared.logicalIso;
      if (prepared.dagAhead)
        store.giveDagText(prepared.dag.definition.id, prepared.dagState, prepared.dagAhead);
      stampTimes(prepared, stamp);
      store.addStateCopy(state, prepared.copy, prepared.dag.definition, prepared.ahead, stamp);
      step.created.push(prepared.created);
      for (const launch of prepared.launches) step.launches.push(launch);
      step.started.push(prepared.copy);
    }
    return step;
  }

  /** Forgets what was prepared (the loop stopped, or a new due second is prepared). */
  clear(): void {
    clearTimeout(this.#recheck);
    this.#generation++;
    this.#runs = [];
    this.#prepared = new Set();
    this.#at = Number.NaN;
    this.#dags = [];
    this.#steady = undefined;
  }

  #prepareOne(
    dag: ActiveDag,
    at: number,
    state: ActiveState,
    busy: ReadonlySet<string>,
    notes: Map<DagDefinition, readonly string[]>,
  ): PreparedRun | undefined {
    const { definition } = dag;
    const dagState = ownValue(state.dags, definition.id);
    if (!dagState || dagState.paused || dagState.lastScheduledAt === null || busy.has(definition.id)) return;
    // Pools count slots across DAGs at the due second; an empty maxActiveRuns starts nothing.
    if (definition.maxActiveRuns < 1 || definition.tasks.some((task) => task.pool)) return;
    const due = this.#o.context.dueTimes(definition, dagState);
    if (!dueOnlyAt(due, at, at)) return;
    const logicalDate = new Date(at);
    const bound = this.#o.context.catchupBound ?? DEFAULT_CATCHUP_BOUND;
    const plan = planScheduledRuns(definition, dagState, [], logicalDate, bound, [logicalDate]);
    const only = plan.create[0];
    if (!only || plan.create.length > 1 || plan.skip.length > 0 || plan.replace.length > 0) return;
    const id = scheduledRunId(definition.id, logicalDate);
    if (ownValue(state.runs, id) || this.#o.context.book.getRun(id)) return;
    const created = newRun(definition, {
      id,
      trigger: only.trigger,
      logicalDate,
      conf: paramDefaults(definition.params),
      commit: dag.commit,
      snapshot: dag.snapshot,
      now: PLACEHOLDER,
    });
    const copy = this.#o.store.stateCopyOf(created);
    const { toStart } = advanceRun(copy, definition.tasks, PLACEHOLDER);
    if (copy.state !== "running" || toStart.length === 0) return;
    for (const note of notesOf(definition, this.#o.context, notes)) copy.notes.push(note);
    const launches: Launch[] = [];
    for (const taskId of toStart) {
      const instance = copy.tasks.find((task) => task.id === taskId);
      const planned = instance && taskLaunchOf(copy, instance, definition, this.#o.logsDir);
      // A try that cannot start fails in the tick, as before.
      if (!instance || !planned?.ok) return;
      launches.push({ run: copy, instance, prepared: planned.launch });
    }
    const ahead = this.#o.store.runTextAhead(copy, PLACEHOLDER_ISO);
    // Every copy of the placeholder is a time stampTimes sets (not a conf's value, say).
    if (!ahead || ahead.stampAt.length !== placeholderFields(copy)) return;
    const lastScheduledAt = dagState.lastScheduledAt;
    const logicalIso = isoTime(logicalDate);
    const dagAhead = this.#o.store.dagTextAhead(dagState, logicalIso);
    const following = due[1] ?? Number.POSITIVE_INFINITY;
    return {
      dag,
      dagState,
      lastScheduledAt,
      logicalIso,
      created,
      copy,
      ahead,
      dagAhead,
      following,
      launches,
    };
  }

  /**
   * What planning reads for the DAG is as it was (executor notes are a function of the definition:
   * the same definition object has the same notes).
   */
  #holds(
    prepared: PreparedRun,
    at: number,
    state: ActiveState,
    busy: ReadonlySet<string>,
    now: number,
  ): boolean {
    const { dag, dagState, copy } = prepared;
    const { definition } = dag;
    return (
      this.#o.registry.get(definition.id) === dag &&
      ownValue(state.dags, definition.id) === dagState &&
      !dagState.paused &&
      dagState.lastScheduledAt === prepared.lastScheduledAt &&
      !busy.has(definition.id) &&
      !ownValue(state.runs, copy.id) &&
      !this.#o.context.book.getRun(copy.id) &&
      dueOnlyAt(this.#o.context.dueTimes(definition, dagState), at, now)
    );
  }
}

/** The DAG's next due time is `at`, and the one after it is still to come at `now`. */
function dueOnlyAt(due: readonly number[], at: number, now: number): boolean {
  const following = due[1];
  return due[0] === at && (following === undefined || following > now);
}

/** DAGs with a run in active state or a running backfill: planning their due run reads those. */
function dagsWithWork(state: ActiveState): Set<string> {
  const busy = new Set<string>();
  for (const run of Object.values(state.runs)) busy.add(run.dagId);
  for (const backfill of Object.values(state.backfills))
    if (backfill.state === "running") busy.add(backfill.dagId);
  return busy;
}

/** What the executor notes on each run of a DAG it starts (asked once per definition). */
function notesOf(
  definition: DagDefinition,
  context: Pick<TickContext, "notes" | "notesFor">,
  known: Map<DagDefinition, readonly string[]>,
): readonly string[] {
  let found = known.get(definition);
  if (!found)
    known.set(definition, (found = [...(context.notes ?? []), ...(context.notesFor?.(definition) ?? [])]));
  return found;
}

/** The fields of a prepared run that hold its creation time. */
function placeholderFields(copy: Run): number {
  let count = (copy.queuedAt === PLACEHOLDER_ISO ? 1 : 0) + (copy.startedAt === PLACEHOLDER_ISO ? 1 : 0);
  for (const task of copy.tasks) if (task.endedAt === PLACEHOLDER_ISO) count++;
  return count;
}

function stampTimes({ created, copy }: PreparedRun, stamp: string): void {
  created.queuedAt = stamp;
  if (copy.queuedAt === PLACEHOLDER_ISO) copy.queuedAt = stamp;
  if (copy.startedAt === PLACEHOLDER_ISO) copy.startedAt = stamp;
  for (const task of copy.tasks) if (task.endedAt === PLACEHOLDER_ISO) task.endedAt = stamp;
}

function sameDags(a: readonly ActiveDag[], b: readonly ActiveDag[]): boolean {
  return a.length === b.length && a.every((dag, i) => dag === b[i]);
}
