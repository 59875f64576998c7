/** Run and task-instance records: plain data, persisted as they are. */
import { createHash } from "node:crypto";
import type { DagDefinition } from "../dags/spec/dag-schema.ts";

export type RunState = "queued" | "running" | "success" | "failed";
export type TaskState =
  "scheduled" | "queued" | "running" | "success" | "failed" | "up_for_retry" | "upstream_failed" | "skipped";
export type RunTrigger = "scheduled" | "manual" | "catchup" | "backfill";

export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  "success",
  "failed",
  "upstream_failed",
  "skipped",
]);

/** One attempt at running a task. */
export interface TaskTry {
  try: number;
  state: TaskState;
  startedAt: string | null;
  endedAt: string | null;
  exitCode: number | null;
  reason: string | null;
  podName: string | null;
}

export interface TaskInstance {
  id: string;
  state: TaskState;
  /** The current (or last) try, from 1; 0 before the first. */
  try: number;
  /** 1 + retries. */
  maxTries: number;
  exitCode: number | null;
  podName: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** The JSON result the task published, if it did. */
  result: unknown;
  hasResult: boolean;
  /** When an `up_for_retry` task is due again. */
  nextTryAt: string | null;
  tries: TaskTry[];
}

export interface Run {
  id: string;
  dagId: string;
  state: RunState;
  trigger: RunTrigger;
  /** Who triggered a manual run (an email, a token's name), when the request said; absent otherwise. */
  triggeredBy?: string;
  logicalDate: string;
  conf: Record<string, unknown>;
  /** Commit whose snapshot the run's tasks use (null in local-folder mode). */
  commit: string | null;
  snapshot: string;
  queuedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** When a finished run was made to run again (clear, retry-failed): its runTimeout counts from here. */
  resumedAt?: string;
  /** The backfill that created this run, or that reran it (`rerun: "failed" | "all"`). */
  backfillId?: string;
  /** Why the run ended as it did, when something other than its tasks decided (`stopped by <actor>`). */
  reason?: string;
  /** Things the user should know about this run, said once (e.g. the local executor ignores images). */
  notes: string[];
  tasks: TaskInstance[];
  /**
   * The DAG as it was when the run was created: a run finishes with the definition (and commit)
   * it started on, whatever syncs happen meanwhile. Only on runs being created; the store keeps
   * one copy per distinct definition (see `definitionKey`).
   */
  definition?: DagDefinition;
  /** Key of the run's definition in the store's definitions table. */
  definitionKey?: string;
}

/** Identifies a DAG definition by content, so runs of the same definition share one stored copy. */
export function definitionKeyOf(definition: DagDefinition): string {
  return identityOf(definition).key;
}

/**
 * `JSON.stringify(definition)`, made once per definition object (with its key): every state write
 * holds the definitions of all active runs, and re-serialising them each time was most of the
 * write's text (10,000 DAGs due at once).
 */
export function definitionTextOf(definition: DagDefinition): string {
  return identityOf(definition).text;
}

function identityOf(definition: DagDefinition): { key: string; text: string } {
  let identity = identities.get(definition);
  if (identity === undefined) {
    const text = JSON.stringify(definition);
    const key = `${definition.id}@${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    identity = { key, text };
    identities.set(definition, identity);
  }
  return identity;
}

// Definitions are immutable data shared by many runs: hash and serialise each object once.
const identities = new WeakMap<DagDefinition, { key: string; text: string }>();

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}

/** A fresh task instance for a run that has not started it yet. */
export function newTaskInstance(id: string, retries: number): TaskInstance {
  return {
    id,
    state: "scheduled",
    try: 0,
    maxTries: retries + 1,
    exitCode: null,
    podName: null,
    reason: null,
    startedAt: null,
    endedAt: null,
    result: null,
    hasResult: false,
    nextTryAt: null,
    tries: [],
  };
}
