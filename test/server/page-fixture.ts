import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { UpdraftApp } from "../../src/server/app.ts";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import type { DagSet } from "../../src/dags/dag-set.ts";
import type { LoadError } from "../../src/dags/loader/load-error.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { Heartbeat } from "../../src/health/heartbeat.ts";
import { createLogger } from "../../src/log/logger.ts";
import { createDaemonEvents } from "../../src/events/daemon-events.ts";
import type { Run, RunState, TaskState } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { createApp } from "../../src/server/app.ts";
import type { AppDeps } from "../../src/server/app-deps.ts";
import type { LeaderView } from "../../src/leader/leader-view.ts";
import { RunStore } from "../../src/store/run-store.ts";
import type { DagSource, SyncStatus } from "../../src/sync/sync-status.ts";
import { dag, FakeExecutor, pod } from "../scheduler-loop/harness.ts";
import type { Cleanup } from "../support/cleanup.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";

/** Hostile text that must render as text wherever it shows up. */
export const HOSTILE = {
  commitMessage: "fix: <script>alert('commit')</script>",
  syncError: "fetch failed: <b>remote hung up</b>",
  importError: 'ReferenceError: <img src=x onerror="alert(1)"> is not defined',
  reason: "exit code 3: <script>alert('reason')</script>",
  log: "starting\n<script>alert('log')</script>\ndone ✓\n",
};

export const APPLIED_SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
export const ATTEMPTED_SHA = "ffffeeee0000111122223333444455556666aaaa";

/** The DAGs of the fixture: a graph with a diamond, a manual one, a paused hourly one, a stale one. */
export const DAGS = {
  etl: dag("etl", {
    schedule: "30 2 * * *",
    tasks: [
      pod("extract"),
      pod("transform", { dependsOn: ["extract"] }),
      pod("report", { dependsOn: ["extract"] }),
      pod("load", { dependsOn: ["transform", "report"] }),
    ],
  }),
  everything: dag("everything", {
    tasks: [
      pod("t_scheduled"),
      pod("t_queued"),
      pod("t_running"),
      pod("t_success"),
      pod("t_failed"),
      pod("t_up_for_retry"),
      pod("t_upstream_failed"),
      pod("t_skipped"),
    ],
  }),
  hourly: dag("hourly", { schedule: "@hourly", pausedOnCreation: true }),
  stale: dag("stale_one", { schedule: "*/15 * * * *" }),
};

export interface PageFixture {
  app: UpdraftApp;
  store: RunStore;
  scheduler: Scheduler;
  /** Runs by the state they are in. */
  runs: Record<RunState, Run>;
  /** The run whose tasks are in every task state (running). */
  everyTaskState: Run;
  /** Bytes of the log written for every started try. */
  logText: string;
  /** What the app was built from (pages can be rendered from it directly). */
  deps: AppDeps;
  stateDir: string;
}

const TASK_STATES: TaskState[] = [
  "scheduled",
  "queued",
  "running",
  "success",
  "failed",
  "up_for_retry",
  "upstream_failed",
  "skipped",
];

/**
 * The HTTP app over real parts (RunStore on disk, DagRegistry, an unstarted Scheduler) in a
 * realistic state: runs in every run state, tasks in every task state, import errors, a stale DAG,
 * a failed last sync, and hostile text in commit messages, errors, reasons and logs.
 */
export async function pageFixture(
  cleanup: Cleanup,
  options: { apiToken?: string; leadership?: () => LeaderView } = {},
): Promise<PageFixture> {
  const stateDir = await cleanup.tempDir("page");
  const log = createLogger({ secrets: [], level: "silent" });
  const store = await RunStore.open(stateDir);
  const registry = new DagRegistry();
  registry.apply(dagSet([DAGS.etl, DAGS.everything, DAGS.hourly, DAGS.stale], []), {
    commit: APPLIED_SHA,
    snapshot: "/snapshots/a",
    prefix: "",
  });
  const importError: LoadError = {
    file: "stale_one.ts",
    line: 4,
    column: 7,
    kind: "exception",
    message: HOSTILE.importError,
  };
  registry.apply(dagSet([DAGS.etl, DAGS.everything, DAGS.hourly], [importError]), {
    commit: APPLIED_SHA,
    snapshot: "/snapshots/a",
    prefix: "",
  });
  const scheduler = new Scheduler({
    store,
    registry,
    executor: new FakeExecutor(),
    logsDir: path.join(stateDir, "logs"),
    log,
    heartbeat: new Heartbeat("the scheduler loop", 30_000),
    events: createDaemonEvents(),
  });
  const now = Date.now();
  const iso = (agoMs: number) => new Date(now - agoMs).toISOString();

  const runs = {} as Record<RunState, Run>;
  const etlStates: Record<RunState, Record<string, TaskState>> = {
    queued: { extract: "queued", transform: "scheduled", report: "scheduled", load: "scheduled" },
    running: { extract: "success", transform: "running", report: "up_for_retry", load: "scheduled" },
    success: { extract: "success", transform: "success", report: "success", load: "success" },
    failed: { extract: "success", transform: "failed", report: "success", load: "upstream_failed" },
  };
  let age = 4;
  for (const state of ["success", "failed", "running", "queued"] as RunState[]) {
    const run = runOf(DAGS.etl, `etl__scheduled__${state}`, iso(age * 3_600_000));
    age -= 1;
    run.state = state;
    run.conf = { region: "eu", note: "<i>conf</i>" };
    run.commit = APPLIED_SHA;
    setTasks(run, etlStates[state], iso(age * 3_600_000 + 600_000));
    if (state === "success") {
      const load = run.tasks.find((t) => t.id === "load");
      if (load) Object.assign(load, { result: { rows: 42, label: "<u>rows</u>" }, hasResult: true });
    }
    runs[state] = run;
  }
  const everyTaskState = runOf(DAGS.everything, "everything__manual__all", iso(120_000));
  everyTaskState.state = "running";
  setTasks(everyTaskState, Object.fromEntries(TASK_STATES.map((s) => [`t_${s}`, s])), iso(100_000));

  for (const run of [runs.success, runs.failed]) await store.archive(run);
  await store.update((state) => {
    for (const run of [runs.running, runs.queued, everyTaskState]) store.addRun(state, run);
    state.dags.hourly = { paused: true, lastScheduledAt: null, skipped: [] };
  });
  for (const run of [...Object.values(runs), everyTaskState]) {
    for (const task of run.tasks) {
      for (const attempt of task.tries) {
        const file = scheduler.logFile(run, task.id, attempt.try);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, HOSTILE.log);
      }
    }
  }

  const deps: AppDeps = {
    registry,
    source: fakeSource(),
    scheduler,
    store,
    syncHistory: () => [],
    health: () => ({ ok: true, checks: {} }),
    auth: { apiToken: options.apiToken, listensOnLoopback: true },
    webhookSecret: undefined,
    followedBranch: () => "main",
    version: "0.0.0-test",
    mask: new SecretMask(),
    ...(options.leadership ? { leadership: options.leadership } : {}),
  };
  const app = createApp(deps);
  return { app, store, scheduler, runs, everyTaskState, logText: HOSTILE.log, deps, stateDir };
}

function dagSet(definitions: DagDefinition[], errors: LoadError[]): DagSet {
  return {
    root: "/repo",
    dags: definitions.map((definition) => ({ dag: definition, file: `${definition.id}.ts`, line: 3 })),
    errors,
    modules: new Map(),
    scans: new Map(),
  };
}

function runOf(definition: DagDefinition, id: string, at: string): Run {
  const { definition: _copy, ...run } = newRun(definition, {
    id,
    trigger: id.includes("manual") ? "manual" : "scheduled",
    logicalDate: new Date(at),
    conf: {},
    commit: APPLIED_SHA,
    snapshot: "/snapshots/a",
    now: new Date(at),
  });
  return { ...run, definition };
}

/** Puts each task in `states`, with tries and times that fit the state. */
function setTasks(run: Run, states: Record<string, TaskState>, startedAt: string): void {
  const start = Date.parse(startedAt);
  let offset = 0;
  run.startedAt = run.state === "queued" ? null : startedAt;
  for (const task of run.tasks) {
    const state = states[task.id] ?? "scheduled";
    task.state = state;
    if (state === "scheduled" || state === "upstream_failed" || state === "skipped") continue;
    const from = new Date(start + offset).toISOString();
    const to = new Date(start + offset + 45_000).toISOString();
    offset += 50_000;
    const started = state !== "queued";
    const ended = state !== "queued" && state !== "running";
    const failed = state === "failed" || state === "up_for_retry";
    task.try = 1;
    task.startedAt = started ? from : null;
    task.endedAt = ended ? to : null;
    task.exitCode = ended ? (failed ? 3 : 0) : null;
    task.reason = failed ? HOSTILE.reason : null;
    task.podName = started ? `${run.dagId}-${task.id}-1` : null;
    task.nextTryAt = state === "up_for_retry" ? new Date(start + offset + 300_000).toISOString() : null;
    task.tries = [
      {
        try: 1,
        state: state === "up_for_retry" ? "failed" : state,
        startedAt: task.startedAt,
        endedAt: task.endedAt,
        exitCode: task.exitCode,
        reason: task.reason,
        podName: task.podName,
      },
    ];
  }
  if (run.state === "success" || run.state === "failed") run.endedAt = new Date(start + offset).toISOString();
}

export function fakeSource(): DagSource {
  const status: SyncStatus = {
    mode: "git",
    repo: "https://git.example.com/acme/dags.git",
    branch: "main",
    dagsDir: "dags",
    lastAppliedCommit: {
      sha: APPLIED_SHA,
      message: HOSTILE.commitMessage,
      author: "Ada <ada@example.com>",
      date: new Date(Date.now() - 3_600_000).toISOString(),
    },
    lastAttemptedCommit: {
      sha: ATTEMPTED_SHA,
      message: "broken change",
      author: "Bob",
      date: new Date(Date.now() - 60_000).toISOString(),
    },
    lastSyncAt: new Date(Date.now() - 30_000).toISOString(),
    lastSuccessAt: new Date(Date.now() - 3_600_000).toISOString(),
    lastError: HOSTILE.syncError,
    nextSyncAt: new Date(Date.now() + 30_000).toISOString(),
  };
  return {
    start: async () => undefined,
    syncNow: async () => undefined,
    stop: async () => undefined,
    status: () => status,
  };
}
