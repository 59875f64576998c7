import type { DagDefinition, TaskDefinition } from "../dags/spec/dag-schema.ts";

/** Identifies one try of one task in one run. */
export interface TaskKey {
  dagId: string;
  runId: string;
  taskId: string;
  try: number;
}

/** Everything an executor needs to start a try; templates are already rendered. */
export interface TaskLaunch extends TaskKey {
  task: TaskDefinition;
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** The run's commit snapshot: the working directory of local tasks. */
  snapshot: string;
  /** The try's log file; executors append the task's output to it. */
  logFile: string;
  logicalDate: string;
}

/** A task's published result (see result-marker.ts). */
export type TaskResult = { present: false } | { present: true; value: unknown };

export type ExecutorEvent =
  | { type: "running"; key: TaskKey; podName: string | null }
  | { type: "finished"; key: TaskKey; exitCode: number; result: TaskResult }
  | { type: "failed"; key: TaskKey; exitCode: number | null; reason: string };

/**
 * Where task tries run. `start` is idempotent per TaskKey: a try that was already started (say,
 * before a crash) is adopted or reported, never started twice. The scheduler learns what happened
 * only through events.
 */
export interface Executor {
  readonly name: "local" | "kubernetes";
  /** What users should know about every run this executor runs; noted on each run as it starts. */
  readonly notes?: readonly string[];
  /**
   * What users should know about one DAG's runs on this executor (say, env it cannot resolve). A
   * function of the definition: the scheduler asks it ahead of a due second (due-preparation.ts).
   */
  notesFor?(dag: DagDefinition): readonly string[];
  /**
   * Called once when this daemon starts scheduling (it holds the state dir, before any start):
   * cleans up what an earlier daemon on this state dir left behind.
   */
  recover?(): Promise<void>;
  start(launch: TaskLaunch): Promise<void>;
  /** Stops a try (timeout, replace, clear); it ends with a `failed` event carrying `reason`. */
  cancel(key: TaskKey, reason: string): Promise<void>;
  subscribe(listener: (event: ExecutorEvent) => void): () => void;
  /**
   * The scheduler's acknowledgement: the `finished`/`failed` events of these tries are in a state
   * write that is durable (also those state no longer expected, which it ignored). Called after
   * each such write, never for a refused one (its events are applied again, then acknowledged). An
   * executor that keeps a try's durable trace until then may drop it now: the Kubernetes executor
   * deletes a finished Pod only here, so a restart finds either the outcome in state or the Pod.
   */
  stored?(keys: readonly TaskKey[]): void;
  /** Stops watching; running work is left running where the executor can adopt it later. */
  close(): Promise<void>;
}

export function keyString(key: TaskKey): string {
  return `${key.runId}/${key.taskId}/${key.try}`;
}
