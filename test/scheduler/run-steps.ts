import type { DagDefinition, TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { finishTry } from "../../src/scheduler/run-progress.ts";
import { at, buildDag, pod, task } from "./fixtures.ts";

/** Steps of a run, driven through the real finishTry, for the run-progress tests. */
export const T0 = "2026-05-01T10:00:00.000Z";

/** `ms` after T0. */
export function later(ms: number): Date {
  return new Date(at(T0).getTime() + ms);
}

function definitionOf(dag: DagDefinition, id: string): TaskDefinition {
  const definition = dag.tasks.find((candidate) => candidate.id === id);
  if (!definition) throw new Error(`no task "${id}"`);
  return definition;
}

export function succeed(run: Run, dag: DagDefinition, id: string, now: Date, result?: unknown): void {
  finishTry(
    task(run, id),
    definitionOf(dag, id),
    { ok: true, exitCode: 0, reason: null, result, hasResult: result !== undefined },
    now,
  );
}

export function fail(run: Run, dag: DagDefinition, id: string, now: Date): void {
  finishTry(task(run, id), definitionOf(dag, id), { ok: false, exitCode: 1, reason: "exit code 1" }, now);
}

/** extract → (transform_a, transform_b) → load */
export const pipeline = buildDag({
  id: "pipeline",
  tasks: [
    pod("extract"),
    pod("transform_a", { dependsOn: "extract" }),
    pod("transform_b", { dependsOn: ["extract"] }),
    pod("load", { dependsOn: ["transform_a", "transform_b"] }),
  ],
});
