// Issue 17 point 3 (lag): the due step's per-run work. The launch is built as one literal (no
// spreads), the executor's notes are asked once per definition, and the missed-schedule check
// skips DAGs without it; each must give what the per-run code gave.
import { describe, expect, it } from "vitest";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { advanceRuns } from "../../src/scheduler/plan-tick.ts";
import { findMissedSchedules } from "../../src/scheduler/missed-schedules.ts";
import { taskLaunchOf } from "../../src/scheduler/task-launch.ts";
import { emptyActiveState } from "../../src/store/run-store.ts";
import { at, buildDag, pod, runOf, task } from "./fixtures.ts";

describe("taskLaunchOf", () => {
  it("gives exactly the try's key, the task, fresh rendered fields, the snapshot, the log file and the logical date", () => {
    const dag = buildDag({
      id: "etl",
      tasks: [pod("load", { command: ["run", "{{ ds }}"], args: ["--x"], env: { A: "1" } })],
    });
    const run = runOf(dag, "2026-05-01T10:00:00.000Z", "etl-1");
    const instance = task(run, "load");
    instance.try = 2;
    const planned = taskLaunchOf(run, instance, dag, "/state/logs");
    if (!planned.ok) throw new Error(planned.reason);
    expect(Object.keys(planned.launch)).toEqual([
      "dagId",
      "runId",
      "taskId",
      "try",
      "task",
      "command",
      "args",
      "env",
      "snapshot",
      "logFile",
      "logicalDate",
    ]);
    expect({ ...planned.launch, env: { ...planned.launch.env } }).toStrictEqual({
      dagId: "etl",
      runId: "etl-1",
      taskId: "load",
      try: 2,
      task: dag.tasks[0],
      command: ["run", "2026-05-01"],
      args: ["--x"],
      env: { A: "1" },
      snapshot: run.snapshot,
      logFile: "/state/logs/etl/etl-1/load/try-2.log",
      logicalDate: "2026-05-01T10:00:00.000Z",
    });
    expect(planned.launch.args).not.toBe(dag.tasks[0]?.args);
  });
});

describe("advanceRuns: the executor's notes", () => {
  it("are asked once per definition, and each run that starts gets its own DAG's", () => {
    const alpha = buildDag({ id: "alpha", maxActiveRuns: 5 });
    const beta = buildDag({ id: "beta", maxActiveRuns: 5 });
    const state = emptyActiveState();
    const runs = [
      runOf(alpha, "2026-05-01T10:00:00.000Z", "alpha-1"),
      runOf(beta, "2026-05-01T10:00:01.000Z", "beta-1"),
      runOf(alpha, "2026-05-01T10:00:02.000Z", "alpha-2"),
      runOf(beta, "2026-05-01T10:00:03.000Z", "beta-2"),
    ];
    for (const run of runs) state.runs[run.id] = run;
    const asked: string[] = [];
    const notesFor = (dag: DagDefinition) => (asked.push(dag.id), [`${dag.id} runs here`]);
    const advance = advanceRuns(state, at("2026-05-01T10:01:00.000Z"), {
      definitionOf: (run) => run.definition,
      notes: ["every run"],
      notesFor,
    });
    expect(advance.started.map((run) => run.id)).toEqual(["alpha-1", "beta-1", "alpha-2", "beta-2"]);
    expect(asked).toEqual(["alpha", "beta"]);
    expect(runs.map((run) => run.notes)).toEqual([
      ["every run", "alpha runs here"],
      ["every run", "beta runs here"],
      ["every run", "alpha runs here"],
      ["every run", "beta runs here"],
    ]);
    // Each run holds its own list: a note added to one is not on the others.
    runs[0]?.notes.push("only alpha-1");
    expect(runs[2]?.notes).toEqual(["every run", "alpha runs here"]);
  });
});

describe("findMissedSchedules: DAGs without the check", () => {
  it("drop a watermark left from when they had it, and add nothing to the others", () => {
    const plain = buildDag({ id: "plain", schedule: "* * * * *" });
    const manual = buildDag({ id: "manual", schedule: null, expectedWithin: "5m" });
    const state = emptyActiveState();
    const watermark = {
      missedAlertedThrough: "2026-05-01T09:00:00.000Z",
      missedCheckedSchedule: "* * * * * UTC",
      missedSchedule: { logicalDate: "x", kind: "start" as const, reason: "r", at: "y" },
    };
    state.dags.plain = { paused: false, lastScheduledAt: null, skipped: [], ...watermark };
    state.dags.manual = { paused: false, lastScheduledAt: null, skipped: [], missedCheckedSchedule: "z" };
    state.dags.untouched = { paused: false, lastScheduledAt: null, skipped: [] };
    const registered = [plain, manual].map((definition) => ({ definition, commit: null, snapshot: "/s" }));
    const book = { addRun: () => undefined, recordSkip: () => undefined, getRun: () => undefined };
    expect(findMissedSchedules(state, registered, at("2026-05-01T10:00:00.000Z"), { book })).toEqual([]);
    expect(state.dags.plain).toStrictEqual({ paused: false, lastScheduledAt: null, skipped: [] });
    expect(state.dags.manual).toStrictEqual({ paused: false, lastScheduledAt: null, skipped: [] });
    expect(Object.keys(state.dags.untouched ?? {})).toEqual(["paused", "lastScheduledAt", "skipped"]);
  });
});
