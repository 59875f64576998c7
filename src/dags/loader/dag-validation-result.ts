import type { CallSite } from "../../sdk/call-site.ts";
import { validateDag } from "../spec/validate-dag.ts";
import type { LoadError } from "./load-error.ts";
import type { LoadedDag } from "./loader-protocol.ts";

/**
 * One exported DAG value of `moduleFile` validated: the DAG at its `dag()` line, or one validation
 * error per problem, each at the `dag()` or `pod()` call it concerns. The same in a loader process
 * (values JSON cannot carry) and in the daemon (the plain input a loader sent).
 */
export function dagValidationResult(
  moduleFile: string,
  value: unknown,
  dagSite: CallSite | undefined,
  taskSite: (index: PropertyKey | undefined) => CallSite | undefined,
): { dag: LoadedDag } | { errors: LoadError[] } {
  const validation = validateDag(value, (p) => (p.length === 0 ? dagSite : taskSite(p[1])));
  if (validation.ok) return { dag: { dag: validation.dag, file: moduleFile, line: dagSite?.line ?? null } };
  const prefix = validation.dagId ? `DAG "${validation.dagId}": ` : "";
  return {
    errors: validation.problems.map((problem) => ({
      file: moduleFile,
      line: problem.line ?? null,
      column: problem.column ?? null,
      kind: "validation",
      message: prefix + problem.message,
      ...(validation.dagId ? { dagId: validation.dagId } : {}),
    })),
  };
}
