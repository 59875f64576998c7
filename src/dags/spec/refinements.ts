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
export function identifierError(value: string, maxLength = MAX_TASK_ID_LENGTH): string | undefined {
  if (value.length === 0) return "must not be empty";
  if (value.length > maxLength) return `must be at most ${maxLength} characters (has ${value.length})`;
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) return "may only contain letters, digits, '_', '-' and '.'";
  if (value === "." || value === "..") return 'must not be "." or ".." (ids name folders of logs and URLs)';
  return undefined;
}

/** Task ids name a log folder of their own: a file name of at most 255 bytes. */
export const MAX_TASK_ID_LENGTH = 250;
/**
 * A DAG id also starts its run ids (`<dag>__manual__<time>_<nonce>`, 33 more characters), which
 * name log folders, conf files and their temp files (about 18 more): 200 keeps all within 255.
 */
export const MAX_DAG_ID_LENGTH = 200;

/** Task ids (see identifierError). */
export const identifier = checkedString((value) => identifierError(value));
/** DAG ids (see identifierError and MAX_DAG_ID_LENGTH). */
export const dagIdentifier = checkedString((value) => identifierError(value, MAX_DAG_ID_LENGTH));
