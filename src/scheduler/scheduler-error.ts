/** A scheduler request that cannot be done; `code` says why (the HTTP layer maps it). */
export class SchedulerError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "bad_request" | "too_many_queued_runs",
    message: string,
  ) {
    super(message);
  }
}
