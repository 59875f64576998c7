import { z } from "zod";
import { recheckDefinition } from "../spec/recheck-definition.ts";
import { formatIssue } from "../spec/validate-dag.ts";
import type { LoadError } from "./load-error.ts";
import { dagValidationResult } from "./dag-validation-result.ts";
import type { ModuleLoadResult } from "./loader-protocol.ts";

/**
 * A loader process shares its IPC channel with the DAG code it evaluates: a module can
 * `process.send` anything. So the daemon checks every message before using it, and validates
 * every DAG in it itself.
 */
export type CheckedMessage =
  | { type: "ready" }
  | { type: "need"; path: string }
  | { type: "loaded"; result: ModuleLoadResult }
  | { type: "invalid"; problem: string };

const loadError = z.strictObject({
  file: z.string(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  kind: z.enum(["syntax", "exception", "timeout", "memory", "crash", "validation", "duplicate"]),
  message: z.string(),
  dagId: z.string().optional(),
});

const message = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ready") }),
  z.strictObject({ type: z.literal("need"), path: z.string() }),
  z.strictObject({
    type: z.literal("loaded"),
    result: z.strictObject({
      file: z.string(),
      dags: z.array(
        z.union([
          z.strictObject({
            input: z.unknown(),
            file: z.string(),
            line: z.number().int().nullable(),
            column: z.number().int().nullable(),
            taskSites: z.array(z.tuple([z.number().int(), z.number().int()]).nullable()),
          }),
          z.strictObject({ dag: z.unknown(), file: z.string(), line: z.number().int().nullable() }),
        ]),
      ),
      errors: z.array(loadError),
    }),
  }),
]);

/**
 * `raw` as a message whose DAGs the daemon validated: a plain input is validated here (its problems
 * become the module's validation errors, at the call sites the loader named); a definition the
 * loader validated itself must pass the schema again unchanged. Anything else is why it is not one.
 */
export function checkLoaderMessage(raw: unknown): CheckedMessage {
  const parsed = message.safeParse(raw);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    return { type: "invalid", problem: `not a loader message (${first ? formatIssue(first) : "invalid"})` };
  }
  if (parsed.data.type !== "loaded") return parsed.data;
  const { result } = parsed.data;
  const dags: ModuleLoadResult["dags"] = [];
  const errors: LoadError[] = result.errors.map(({ dagId, ...error }) => ({
    ...error,
    ...(dagId === undefined ? {} : { dagId }),
  }));
  for (const loaded of result.dags) {
    if (loaded.file !== result.file)
      return { type: "invalid", problem: `a DAG of "${result.file}" says it is from "${loaded.file}"` };
    if ("input" in loaded) {
      const { input, line, column, taskSites } = loaded;
      const site = (at: [number, number] | null | undefined) =>
        at ? { file: result.file, line: at[0], column: at[1] } : undefined;
      const dagSite = line === null || column === null ? undefined : { file: result.file, line, column };
      const tasks =
        typeof input === "object" && input !== null ? (input as { tasks?: unknown }).tasks : undefined;
      const validated = dagValidationResult(result.file, input, dagSite, (index) =>
        Array.isArray(tasks) && typeof index === "number" && index < tasks.length
          ? site(taskSites[index])
          : undefined,
      );
      if ("dag" in validated) dags.push(validated.dag);
      else errors.push(...validated.errors);
      continue;
    }
    const recheck = recheckDefinition(loaded.dag);
    if (!recheck.ok) return { type: "invalid", problem: recheck.problem };
    dags.push({ dag: recheck.dag, file: loaded.file, line: loaded.line });
  }
  return { type: "loaded", result: { file: result.file, dags, errors } };
}

/** The load error a module gets for a message it sent on the loader's channel itself. */
export function forgedMessageError(file: string, problem: string): LoadError {
  return {
    file,
    line: null,
    column: null,
    kind: "validation",
    message: `the loader process sent an answer the daemon refuses, so no DAG of this file is loaded (DAG modules must not call process.send): ${problem}`,
  };
}
