import type { Run } from "./run-model.ts";

/** The try an executor asks about (a Pod it found, say). */
export interface TryKey {
  runId: string;
  taskId: string;
  try: number;
}

/**
 * Whether the state still expects this try to run: its task is on this try, queued or running. An
 * executor leaves alone (does not judge or delete) what belongs to a try that is not.
 */
export function isActiveTry(runs: Readonly<Record<string, Run>>, key: TryKey): boolean {
  const run = Object.hasOwn(runs, key.runId) ? runs[key.runId] : undefined;
  const task = run?.tasks.find((t) => t.id === key.taskId);
  return task !== undefined && task.try === key.try && (task.state === "queued" || task.state === "running");
}
