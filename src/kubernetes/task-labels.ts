import type { TaskKey } from "../executor/executor.ts";
import { labelValueFor } from "./pod-names.ts";

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const MANAGED_SELECTOR = `${MANAGED_BY}=updraft`;
export const LABEL = {
  dag: "updraft.dev/dag",
  task: "updraft.dev/task",
  run: "updraft.dev/run",
  try: "updraft.dev/try",
} as const;
/** Annotations keep the exact ids, which labels may have had to shorten. */
export const ANNOTATION = {
  dag: "updraft.dev/dag-id",
  task: "updraft.dev/task-id",
  run: "updraft.dev/run-id",
  try: "updraft.dev/try",
} as const;

/** The labels every task Pod carries (CONTRACT.md, Pods). */
export function taskLabels(key: TaskKey): Record<string, string> {
  return {
    [MANAGED_BY]: "updraft",
    [LABEL.dag]: labelValueFor(key.dagId),
    [LABEL.task]: labelValueFor(key.taskId),
    [LABEL.run]: labelValueFor(key.runId),
    [LABEL.try]: String(key.try),
  };
}

export function taskAnnotations(key: TaskKey): Record<string, string> {
  return {
    [ANNOTATION.dag]: key.dagId,
    [ANNOTATION.task]: key.taskId,
    [ANNOTATION.run]: key.runId,
    [ANNOTATION.try]: String(key.try),
  };
}

/** The task a managed Pod belongs to, read back from its annotations (adoption after a restart). */
export function keyFromAnnotations(annotations: Record<string, string> | undefined): TaskKey | undefined {
  const dagId = annotations?.[ANNOTATION.dag];
  const taskId = annotations?.[ANNOTATION.task];
  const runId = annotations?.[ANNOTATION.run];
  const tryNumber = Number(annotations?.[ANNOTATION.try]);
  if (!dagId || !taskId || !runId || !Number.isInteger(tryNumber)) return undefined;
  return { dagId, taskId, runId, try: tryNumber };
}
