// Issue 17: the store skips serialising a run whose shape (its fields, tasks, tries and notes) is the
// one it had when written. Every way the scheduler changes a run must change its shape.
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/run-model.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { sameShape, shapeOf } from "../../src/store/run-shape.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");

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
  [
    "a try pushed",
    (run) =>
      run.tasks[0]?.tries.push({
        try: 1,
        state: "running",
        startedAt: null,
        endedAt: null,
        exitCode: null,
        reason: null,
        podName: null,
      }),
  ],
  ["a task removed", (run) => run.tasks.pop()],
];

describe("a run's shape", () => {
  for (const [what, change] of changes)
    it(`changes with ${what}`, () => {
      const run = oneTaskRun("a", "r", at);
      run.notes.push("first");
      run.tasks[0]?.tries.push({
        try: 0,
        state: "scheduled",
        startedAt: null,
        endedAt: null,
        exitCode: null,
        reason: null,
        podName: null,
      });
      const shape = shapeOf(run);
      expect(sameShape(run, shape)).toBe(true);
      change(run);
      expect(sameShape(run, shape)).toBe(false);
    });

  it("changes with a try's field and a note replaced in place", () => {
    const run = oneTaskRun("a", "r", at);
    run.notes.push("first");
    run.tasks[0]?.tries.push({
      try: 1,
      state: "running",
      startedAt: null,
      endedAt: null,
      exitCode: null,
      reason: null,
      podName: null,
    });
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
    await expect(writing).rejects.toThrow(/run r changed without its shape changing/);
  });
});
