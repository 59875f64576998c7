import type { z } from "zod";
import type { CallSite } from "../../sdk/call-site.ts";
import { type DagDefinition, dagSchema } from "./dag-schema.ts";

/** One thing wrong with a DAG, located at the `dag()` or `pod()` call it concerns. */
export interface ValidationProblem {
  message: string;
  line: number | undefined;
  column: number | undefined;
}

export type DagValidation =
  { ok: true; dag: DagDefinition } | { ok: false; dagId: string | undefined; problems: ValidationProblem[] };

/**
 * Validates one exported DAG value. `callSiteOf` tells where the DAG (path `[]`) or one of its tasks
 * (path `["tasks", i]`) was declared, so each problem points at the line the author must change.
 */
export function validateDag(
  value: unknown,
  callSiteOf: (path: readonly PropertyKey[]) => CallSite | undefined,
): DagValidation {
  const parsed = dagSchema.safeParse(value);
  if (parsed.success) return { ok: true, dag: parsed.data };
  const dagId =
    typeof (value as { id?: unknown })?.id === "string" ? (value as { id: string }).id : undefined;
  const problems = parsed.error.issues.map((issue) => {
    const site =
      issue.path[0] === "tasks" && typeof issue.path[1] === "number"
        ? callSiteOf(issue.path.slice(0, 2))
        : undefined;
    const located = site ?? callSiteOf([]);
    return { message: formatIssue(issue), line: located?.line, column: located?.column };
  });
  return { ok: false, dagId, problems };
}

/** `tasks[1].resources.limits.memory: "1 Gi" is not a Kubernetes quantity`. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = formatPath(issue.path);
  return path ? `${path}: ${issue.message}` : issue.message;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) text += text ? `.${part}` : part;
    else text += `[${JSON.stringify(String(part))}]`;
  }
  return text;
}
