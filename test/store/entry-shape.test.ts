// Issue 17: the store skips serialising a run whose shape (its fields, tasks, tries and notes) is the
// one it had when written. Every way the scheduler changes a run must change its shape.
import { describe, expect, it } from "vitest";
import type { Run, TaskTry } from "../../src/runs/run-model.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { sameShape, shapeOf } from "../../src/store/entry-shape.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");

/** A try record as the scheduler pushes one. */
const aTry = (n: number, state: TaskTry["state"]): TaskTry => ({
  try: n,
  state,
  startedAt: null,
  endedAt: null,
  exitCode: null,
  reason: null,
  podName: null,
});

const changes: Array<[string, (run: Run) => void]> = [
  ["a run field", (run) => (run.state = "running")],
  [
    "a run field to the same text, another type",
    (run) => ((run as unknown as { startedAt: unknown }).startedAt = 0),
  ],
  ["a field added", (run) => (run.triggeredBy = "ann")],
  ["a field removed", (run) => delete (run as Partial<Run>).startedAt],
  ["a note pushed", (run) => run.notes.push("said once")],
  ["the conf replaced", (run) => (run.conf = { n: 1 })],
  ["a task field", (run) => run.tasks[0] && (run.tasks[0].state = "queued")],
  ["a task replaced by a copy", (run) => run.tasks[0] && (run.tasks[0] = { ...run.tasks[0] })],
  ["a task's result replaced", (run) => run.tasks[0] && (run.tasks[0].result = { rows: 3 })],
  ["a try pushed", (run) => run.tasks[0]?.tries.push(aTry(1, "running"))],
  ["a task removed", (run) => run.tasks.pop()],
];

describe("an entry's shape", () => {
  for (const [what, change] of changes)
    it(`changes with ${what}`, () => {
      const run = oneTaskRun("a", "r", at);
      run.notes.push("first");
      run.tasks[0]?.tries.push(aTry(0, "scheduled"));
      const shape = shapeOf(run);
      expect(sameShape(run, shape)).toBe(true);
      change(run);
      expect(sameShape(run, shape)).toBe(false);
    });

  it("changes with a try's field and a note replaced in place", () => {
    const run = oneTaskRun("a", "r", at);
    run.notes.push("first");
    run.tasks[0]?.tries.push(aTry(1, "running"));
    const shape = shapeOf(run);
    const firstTry = run.tasks[0]?.tries[0];
    if (firstTry) firstTry.state = "success";
    expect(sameShape(run, shape)).toBe(false);
    const again = shapeOf(run);
    run.notes[0] = "second";
    expect(sameShape(run, again)).toBe(false);
  });

  it("in tests, a change the shape cannot see (a conf changed in place) fails the write loudly", async () => {
    expect(process.env.UPDRAFT_VERIFY_RUN_SHAPES).toBe("1");
    const store = await RunStore.open(await cleanup.tempDir("run-shape-verify"));
    await store.update((state) => store.addRun(state, { ...oneTaskRun("a", "r", at), conf: { n: 1 } }));
    await store.update((state) => {
      const run = state.runs["r"];
      if (run) run.state = "running";
    });
    const writing = store.update((state) => {
      const conf = state.runs["r"]?.conf;
      if (conf) conf["n"] = 2;
    });
    await expect(writing).rejects.toThrow(/runs entry r changed without its shape changing/);
  });
  it("of a DAG's state changes with each field, a skip pushed, and the missed-schedule alert changed in place", () => {
    const dagState = {
      paused: false,
      lastScheduledAt: null as string | null,
      skipped: [
        { logicalDate: "2026-03-01T00:00:00.000Z", reason: "forbid", at: "2026-03-01T00:00:01.000Z" },
      ],
      missedSchedule: { logicalDate: "2026-03-01T00:00:00.000Z", kind: "start", reason: "late", at: "x" },
    };
    const changesOfDag: Array<(d: typeof dagState) => void> = [
      (d) => (d.paused = true),
      (d) => (d.lastScheduledAt = "2026-03-01T00:00:00.000Z"),
      (d) => d.skipped.push({ logicalDate: "b", reason: "forbid", at: "c" }),
      (d) => d.skipped[0] && (d.skipped[0].reason = "catch-up bound"),
      (d) => (d.missedSchedule.kind = "finish"),
    ];
    for (const change of changesOfDag) {
      const copy = structuredClone(dagState);
      const shape = shapeOf(copy);
      expect(sameShape(copy, shape)).toBe(true);
      change(copy);
      expect(sameShape(copy, shape), String(change)).toBe(false);
    }
  });
});
