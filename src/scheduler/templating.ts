import { idRecord } from "../store/id-record.ts";

/** What a task's `command`, `args` and `env` templates may refer to. */
export interface TemplateContext {
  conf: Record<string, unknown>;
  /** Logical date as an ISO time. */
  logicalDate: string;
  runId: string;
  dagId: string;
  taskId: string;
  tryNumber: number;
  /** Results published by tasks of this run that have finished, by task id. */
  results: Readonly<Record<string, unknown>>;
}

export type Rendered<T> = { ok: true; value: T } | { ok: false; error: string };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Replaces every `{{ name }}` in `text`. Strings are inserted as they are, everything else as
 * JSON. An unknown name or a missing path is an error naming it, never an empty string.
 */
export function renderTemplate(text: string, context: TemplateContext): Rendered<string> {
  let error: string | undefined;
  const value = text.replace(PLACEHOLDER, (whole, expression: string) => {
    if (error) return whole;
    const resolved = resolveName(expression, context);
    if (!resolved.ok) {
      error = resolved.error;
      return whole;
    }
    return typeof resolved.value === "string" ? resolved.value : JSON.stringify(resolved.value);
  });
  return error ? { ok: false, error } : { ok: true, value };
}

/**
 * Renders a task's command, args and string env values; the first error names the field. Env
 * values that reference a Secret, ConfigMap or the Pod (EnvVarSource) are neither rendered nor returned.
 */
export function renderTaskTemplates(
  task: {
    command: readonly string[];
    args: readonly string[];
    env: Readonly<Record<string, string | object>>;
  },
  context: TemplateContext,
): Rendered<{ command: string[]; args: string[]; env: Record<string, string> }> {
  if (!taskHasTemplates(task)) return plainRender(task);
  const command: string[] = [];
  const args: string[] = [];
  // Keys come from the DAG file: `__proto__` is a valid variable name.
  const env = idRecord<string>();
  const plainEnv = Object.entries(task.env).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  const fields: Array<[string, string, (v: string) => void]> = [
    ...task.command.map((text, i): [string, string, (v: string) => void] => [
      `command[${i}]`,
      text,
      (v) => command.push(v),
    ]),
    ...task.args.map((text, i): [string, string, (v: string) => void] => [
      `args[${i}]`,
      text,
      (v) => args.push(v),
    ]),
    ...plainEnv.map(([key, text]): [string, string, (v: string) => void] => [
      `env.${key}`,
      text,
      (v) => {
        env[key] = v;
      },
    ]),
  ];
  for (const [field, text, keep] of fields) {
    const rendered = renderTemplate(text, context);
    if (!rendered.ok) return { ok: false, error: `${field}: ${rendered.error}` };
    keep(rendered.value);
  }
  return { ok: true, value: { command, args, env } };
}

type TemplatedTask = Parameters<typeof renderTaskTemplates>[0];

/**
 * Whether any of a task's command, args or string env values holds `{{` (else each renders as it
 * is). Kept per task object: definitions are immutable and shared by every run of a DAG.
 */
export function taskHasTemplates(task: TemplatedTask): boolean {
  let has = templated.get(task);
  if (has === undefined) {
    const texts = [...task.command, ...task.args, ...Object.values(task.env)];
    has = texts.some((text) => typeof text === "string" && text.includes("{{"));
    templated.set(task, has);
  }
  return has;
}

const templated = new WeakMap<TemplatedTask, boolean>();

/**
 * A task without templates, rendered: fresh arrays and record, as rendering would give (what a
 * launch holds may end up in a Pod spec: never shared between launches).
 */
export function plainRender(
  task: TemplatedTask,
): Rendered<{ command: string[]; args: string[]; env: Record<string, string> }> {
  const env = idRecord<string>();
  for (const key in task.env) {
    const value = task.env[key];
    if (typeof value === "string" && Object.hasOwn(task.env, key)) env[key] = value;
  }
  return { ok: true, value: { command: task.command.slice(), args: task.args.slice(), env } };
}

/** The names templates may use, for error messages. */
export const TEMPLATE_NAMES = [
  "dag_run.conf",
  "dag_run.conf.KEY",
  "ds",
  "ts",
  "run_id",
  "dag.id",
  "task.id",
  "try_number",
  "tasks.ID.result",
  "tasks.ID.result.PATH",
];

/** `tasks.ID.result[.PATH]`; task ids may contain dots, so the id runs up to the first `.result`. */
const TASK_RESULT = /^tasks\.(.+?)\.result(?:\.(.*))?$/;

function resolveName(expression: string, context: TemplateContext): Rendered<unknown> {
  const parts = expression.split(".");
  const [head, second] = parts;
  const taskResult = TASK_RESULT.exec(expression);
  switch (true) {
    case expression === "ds":
      return { ok: true, value: context.logicalDate.slice(0, 10) };
    case expression === "ts":
      return { ok: true, value: context.logicalDate };
    case expression === "run_id":
      return { ok: true, value: context.runId };
    case expression === "dag.id":
      return { ok: true, value: context.dagId };
    case expression === "task.id":
      return { ok: true, value: context.taskId };
    case expression === "try_number":
      return { ok: true, value: String(context.tryNumber) };
    case head === "dag_run" && second === "conf":
      return walk(context.conf, parts.slice(2), "dag_run.conf");
    case taskResult !== null: {
      const taskId = taskResult[1] ?? "";
      if (!Object.hasOwn(context.results, taskId)) {
        return {
          ok: false,
          error: `{{ ${expression} }}: task "${taskId}" has no result in this run (it has not succeeded, or did not publish one)`,
        };
      }
      const path = taskResult[2] === undefined ? [] : taskResult[2].split(".");
      return walk(context.results[taskId], path, `tasks.${taskId}.result`);
    }
    default:
      return {
        ok: false,
        error: `unknown template name "${expression}" (known: ${TEMPLATE_NAMES.join(", ")})`,
      };
  }
}

function walk(value: unknown, path: readonly string[], prefix: string): Rendered<unknown> {
  let current = value;
  let at = prefix;
  for (const key of path) {
    const container = current as Record<string, unknown> | unknown[] | null;
    if (container === null || typeof container !== "object" || !Object.hasOwn(container, key)) {
      return { ok: false, error: `{{ ${prefix}.${path.join(".")} }}: ${at} has no key "${key}"` };
    }
    current = (container as Record<string, unknown>)[key];
    at = `${at}.${key}`;
  }
  if (current === undefined) return { ok: false, error: `{{ ${at} }}: value is undefined` };
  return { ok: true, value: current };
}
