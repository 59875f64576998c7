import type { z } from "zod";
import { type DagDefinition, dagSchema } from "../../src/dags/spec/dag-schema.ts";
import type { PodTaskInput } from "../../src/dags/spec/task-schema.ts";
import type { Run, TaskInstance, TaskState } from "../../src/runs/run-model.ts";
import { newRun } from "../../src/scheduler/run-planner.ts";

type DagInput = z.input<typeof dagSchema>;

/** A pod task as a DAG module would write it; only the id is required. */
export function pod(id: string, fields: Partial<Omit<PodTaskInput, "kind" | "id">> = {}): PodTaskInput {
  return { kind: "pod", id, image: "busybox:1.36", command: ["true"], ...fields };
}

/** A DAG through the real schema (defaults, UTC dates, inherited retries), so fixtures stay valid. */
export function buildDag(fields: Partial<Omit<DagInput, "kind">> = {}): DagDefinition {
  return dagSchema.parse({ kind: "dag", id: "fixture", schedule: null, tasks: [pod("only")], ...fields });
}

export function at(iso: string): Date {
  return new Date(iso);
}

/** A fresh queued run of `dag`, as the scheduler creates it. */
export function runOf(dag: DagDefinition, logicalDate = "2026-05-01T10:00:00.000Z", id = "run-1"): Run {
  return newRun(dag, {
    id,
    trigger: "manual",
    logicalDate: at(logicalDate),
    conf: {},
    commit: null,
    snapshot: "/snapshots/none",
    now: at(logicalDate),
  });
}

export function task(run: Run, id: string): TaskInstance {
  const instance = run.tasks.find((candidate) => candidate.id === id);
  if (!instance) throw new Error(`run ${run.id} has no task "${id}"`);
  return instance;
}

/** Sets task states directly, for states whose history does not matter to a test. */
export function setStates(run: Run, states: Record<string, TaskState>): void {
  for (const [id, state] of Object.entries(states)) task(run, id).state = state;
}

/** The states of all tasks of a run, by id. */
export function statesOf(run: Run): Record<string, TaskState> {
  return Object.fromEntries(run.tasks.map((instance) => [instance.id, instance.state]));
}
