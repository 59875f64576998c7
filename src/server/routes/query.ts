import { z } from "zod";
import { HttpError } from "../http-error.ts";

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const limitSchema = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number)
  .pipe(z.number().min(1).max(MAX_LIMIT));

/** `?limit=` for lists: 1–1000, default 100. */
export function listLimit(raw: string | undefined, fallback = DEFAULT_LIMIT): number {
  if (raw === undefined) return fallback;
  const parsed = limitSchema.safeParse(raw);
  if (!parsed.success)
    throw new HttpError(
      400,
      "bad_request",
      `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${quote(raw)}`,
    );
  return parsed.data;
}

// DAG and task ids are identifiers (letters, digits, '_', '-', '.'; at most 250; never '.' or '..'); run ids add a
// suffix to the DAG id. Anything else cannot name one.
const idSchema = z
  .string()
  .min(1, "must not be empty")
  .max(320, "is longer than any id")
  .regex(/^[A-Za-z0-9_.-]+$/, "may only contain letters, digits, '_', '-' and '.'")
  .refine((id) => id !== "." && id !== "..", 'must not be "." or ".."');

/** A path parameter that must look like an id; otherwise 400 naming the parameter. */
export function idParam(name: string, raw: string): string {
  const parsed = idSchema.safeParse(raw);
  if (!parsed.success)
    throw new HttpError(400, "bad_request", `${name} ${parsed.error.issues[0]?.message}: ${quote(raw)}`);
  return parsed.data;
}

export const isoTime = z.iso.datetime({ offset: true });

/** `?before=` as an ISO time (sync records); undefined when absent. */
export function beforeTime(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!isoTime.safeParse(raw).success)
    throw new HttpError(
      400,
      "bad_request",
      `before must be an ISO time such as 2026-01-31T12:00:00.000Z, got ${quote(raw)}`,
    );
  return new Date(raw).toISOString();
}

/** User input inside an error message: JSON-quoted and cut short. */
export function quote(raw: string): string {
  return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
}
