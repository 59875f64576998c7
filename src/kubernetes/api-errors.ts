import { kubeClient } from "./kube-client.ts";

/** The longest `Retry-After` waited out; a longer one is cut to this (and the attempts stay bounded). */
export const MAX_RETRY_AFTER_MS = 60_000;

/** The API's own message (the Status body's `message`), else the error's. */
export function apiMessage(error: unknown): string {
  const message = (statusBody(error) as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : error instanceof Error ? error.message : String(error);
}

/**
 * A Pod refused by admission: Pod Security Admission (403 "violates PodSecurity") or a validating
 * webhook's denial, with whatever code the webhook set. Asking again gets the same answer.
 */
export function isAdmissionDenial(error: unknown): boolean {
  if (!(error instanceof kubeClient().ApiException)) return false;
  const message = apiMessage(error);
  return (
    /admission webhook "[^"]*" denied the request/.test(message) ||
    (error.code === 403 && /violates PodSecurity/.test(message))
  );
}

/** How long the server asked us to wait (`Retry-After` seconds, or the Status's retryAfterSeconds). */
export function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof kubeClient().ApiException)) return undefined;
  const headers = (error.headers ?? {}) as Record<string, string | undefined>;
  const header = Number(headers["retry-after"]?.trim() || Number.NaN);
  const detail = (statusBody(error) as { details?: { retryAfterSeconds?: unknown } } | undefined)?.details
    ?.retryAfterSeconds;
  const seconds =
    Number.isFinite(header) && header >= 0 ? header : typeof detail === "number" ? detail : undefined;
  return seconds === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, seconds * 1000);
}

/** The Status object of a client error: the client hands it over as text or already parsed. */
function statusBody(error: unknown): unknown {
  const body = (error as { body?: unknown } | undefined)?.body;
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
