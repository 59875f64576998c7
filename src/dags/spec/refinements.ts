import { z } from "zod";
import { parseDuration } from "./duration.ts";

/** A string schema that adds `"<value>" <reason>` when `reasonFor` finds something wrong. */
export function checkedString(reasonFor: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const reason = reasonFor(value);
    if (reason) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} ${reason}` });
  });
}

/** A record whose keys and values are both checked, with the key named in the message. */
export function checkedRecord(
  keyReason: (key: string) => string | undefined,
  valueReason: (value: string) => string | undefined = () => undefined,
) {
  return z.record(z.string(), z.string()).superRefine((record, ctx) => {
    for (const [key, value] of Object.entries(record)) {
      const keyProblem = keyReason(key);
      if (keyProblem)
        ctx.addIssue({ code: "custom", path: [key], message: `key ${JSON.stringify(key)} ${keyProblem}` });
      const valueProblem = valueReason(value);
      if (valueProblem) {
        ctx.addIssue({ code: "custom", path: [key], message: `${JSON.stringify(value)} ${valueProblem}` });
      }
    }
  });
}

/** A duration (`"30s"`, `"5m"`, seconds as a number) turned into milliseconds. */
export const durationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a duration (e.g. "30s", "5m", "1h30m", or seconds as a number)`,
    });
    return z.NEVER;
  }
  return ms;
});

/**
 * Why `value` cannot be a DAG or task id, if it cannot. Ids end up in pod names, labels, URLs and
 * the folders of logs, so they stay plain (Airflow's alphabet) and are never a path: no separator,
 * no control character, and not `.` or `..` alone.
 */
export function identifierError(value: string): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > 250) return `must be at most 250 characters (has ${value.length})`;
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) return "may only contain letters, digits, '_', '-' and '.'";
  if (value === "." || value === "..") return 'must not be "." or ".." (ids name folders of logs and URLs)';
  return undefined;
}

/** DAG and task ids (see identifierError). */
export const identifier = checkedString(identifierError);
