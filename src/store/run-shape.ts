import type { Run } from "../runs/run-model.ts";

/**
 * A run's shape: every key and value of the run, of its tasks, tries and notes, in order, with
 * other objects (`conf`, a task's `result`) by identity. Run records change only by assignment
 * and push (a conf never changes; a result is replaced whole), so a run with the same shape as
 * when it was written has the same JSON: the store skips serialising it again. Checking is a walk
 * over the fields without allocation, a few times cheaper than the JSON. Tests check each skip
 * against the JSON (UPDRAFT_VERIFY_RUN_SHAPES, see active-state-file.ts).
 */
export type RunShape = unknown[];

export function shapeOf(run: Run): RunShape {
  const walk = new ShapeWalk([], true);
  walkRun(run, walk);
  return walk.shape;
}

export function sameShape(run: Run, shape: RunShape): boolean {
  const walk = new ShapeWalk(shape, false);
  return walkRun(run, walk) && walk.at === shape.length;
}

/** Records values into `shape`, or compares them with it in order (false at the first difference). */
class ShapeWalk {
  at = 0;
  constructor(
    readonly shape: unknown[],
    readonly recording: boolean,
  ) {}

  is(value: unknown): boolean {
    if (this.recording) {
      this.shape.push(value);
      return true;
    }
    return this.at < this.shape.length && this.shape[this.at++] === value;
  }
}

function walkRun(run: Run, walk: ShapeWalk): boolean {
  if (!walk.is(run)) return false;
  for (const key in run) {
    const value = (run as unknown as Record<string, unknown>)[key];
    if (!walk.is(key) || !walk.is(value)) return false;
    if (!Array.isArray(value)) continue;
    if (key === "tasks" && !walkTasks(value, walk)) return false;
    if (key === "notes" && !walkItems(value, walk)) return false;
  }
  // The end of the run's keys: one added at the end differs here.
  return walk.is(undefined);
}

function walkTasks(tasks: unknown[], walk: ShapeWalk): boolean {
  if (!walk.is(tasks.length)) return false;
  for (const task of tasks) {
    if (!walk.is(task)) return false;
    if (typeof task !== "object" || task === null) continue;
    for (const key in task) {
      const value = (task as Record<string, unknown>)[key];
      if (!walk.is(key) || !walk.is(value)) return false;
      if (key === "tries" && Array.isArray(value) && !walkTries(value, walk)) return false;
    }
    if (!walk.is(undefined)) return false;
  }
  return true;
}

function walkTries(tries: unknown[], walk: ShapeWalk): boolean {
  if (!walk.is(tries.length)) return false;
  for (const one of tries) {
    if (!walk.is(one)) return false;
    if (typeof one !== "object" || one === null) continue;
    for (const key in one) if (!walk.is(key) || !walk.is((one as Record<string, unknown>)[key])) return false;
    if (!walk.is(undefined)) return false;
  }
  return true;
}

function walkItems(items: unknown[], walk: ShapeWalk): boolean {
  if (!walk.is(items.length)) return false;
  for (const item of items) if (!walk.is(item)) return false;
  return true;
}
