import { isDeepStrictEqual } from "node:util";
import { type DagDefinition, dagSchema } from "./dag-schema.ts";
import { paramsInput } from "./params-schema.ts";
import { formatIssue } from "./validate-dag.ts";

export type Recheck = { ok: true; dag: DagDefinition } | { ok: false; problem: string };

/**
 * Validates a DagDefinition again where it is used: in the daemon, on what a loader process sent.
 * The definition is turned back into the `dag({...})` input it came from and parsed by the same
 * schema; only a definition that schema gives back unchanged is accepted, and the daemon keeps its
 * own parsed copy. Anything else (a forged id, a field added or changed after validation) is a
 * problem naming the field.
 */
export function recheckDefinition(value: unknown): Recheck {
  if (!isObject(value)) return { ok: false, problem: "a DAG must be an object" };
  const parsed = dagSchema.safeParse(dagInput(value));
  const id = typeof value.id === "string" ? `DAG ${JSON.stringify(value.id)}: ` : "";
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    return { ok: false, problem: `${id}${first ? formatIssue(first) : "invalid"}` };
  }
  if (!isDeepStrictEqual(parsed.data, value))
    return { ok: false, problem: `${id}the definition is not one the DAG schema produces` };
  return { ok: true, dag: parsed.data };
}

/** The inverse of dagSchema's transform: durations back to text, null dates left out, kinds added. */
function dagInput(dag: Record<string, unknown>): Record<string, unknown> {
  const {
    retryDelayMs,
    startDate,
    endDate,
    tasks,
    params,
    runTimeoutMs,
    expectedWithinMs,
    finishWithinMs,
    ...rest
  } = dag;
  return {
    ...rest,
    kind: "dag",
    retryDelay: duration(retryDelayMs),
    params: paramsInput(params),
    ...optionalDuration("runTimeout", runTimeoutMs),
    ...optionalDuration("expectedWithin", expectedWithinMs),
    ...optionalDuration("finishWithin", finishWithinMs),
    ...(startDate === null ? {} : { startDate }),
    ...(endDate === null ? {} : { endDate }),
    tasks: Array.isArray(tasks) ? tasks.map(taskInput) : tasks,
  };
}

function taskInput(task: unknown): unknown {
  if (!isObject(task)) return task;
  const { retryDelayMs, timeoutMs, startupTimeoutMs, retryBackoff, pool, ...rest } = task;
  return {
    ...rest,
    ...(pool === null ? {} : { pool }),
    kind: "pod",
    retryDelay: duration(retryDelayMs),
    startupTimeout: duration(startupTimeoutMs),
    ...(timeoutMs === null ? {} : { timeout: duration(timeoutMs) }),
    retryBackoff:
      retryBackoff === null
        ? false
        : isObject(retryBackoff)
          ? { max: duration(retryBackoff.maxDelayMs) }
          : retryBackoff,
  };
}

/** `{ [name]: duration }` for a duration field that is set, nothing for null. */
function optionalDuration(name: string, ms: unknown): Record<string, unknown> {
  return ms === null ? {} : { [name]: duration(ms) };
}

/** Milliseconds as duration text; anything else is left for the schema to refuse. */
function duration(ms: unknown): unknown {
  return typeof ms === "number" ? `${ms}ms` : ms;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
