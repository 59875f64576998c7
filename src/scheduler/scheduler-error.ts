/** A scheduler request that cannot be done; `code` says why (the HTTP layer maps it). */
export class SchedulerError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "bad_request" | "too_many_queued_runs" | "invalid_conf",
    message: string,
    /** One line per bad field, for a refused conf (`conf.limit: must be an integer ≥ 1, got 0`). */
    readonly problems?: readonly string[],
  ) {
    super(message);
  }
}
