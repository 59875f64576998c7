import { HttpError } from "../http-error.ts";

/** `?limit=` for lists: 1–1000, default 100. */
export function listLimit(raw: string | undefined, fallback = 100): number {
  if (raw === undefined) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new HttpError(400, "bad_request", `limit must be a whole number from 1 to 1000, got "${raw}"`);
  }
  return limit;
}
