import type { Logger } from "../log/logger.ts";
import { LeaseConflictError } from "./lease-api.ts";
import type { LeaderElector, LeadershipEvent } from "./leader-elector.ts";

/** How often a standby repeats the warning that it cannot reach or use the Lease. */
const STANDBY_WARN_EVERY_MS = 60_000;

/** What logLeadershipEvent remembers between events. */
export interface LeadershipLogState {
  lastStandbyWarnMs: number;
}

/**
 * Log lines for leadership changes. A failed try is a warning while leading. For a standby a lost
 * race (409) is routine (debug), but anything else (403 from missing RBAC, an unreachable API)
 * would keep it standby forever: warned at once, then at most once a minute.
 */
export function logLeadershipEvent(
  log: Logger,
  elector: LeaderElector,
  event: LeadershipEvent,
  state: LeadershipLogState = { lastStandbyWarnMs: Number.NEGATIVE_INFINITY },
  nowMs: number = Date.now(),
): void {
  const fields = { identity: elector.identity, lease: elector.lease };
  switch (event.type) {
    case "started-leading":
      return log.info(fields, "leader election: acquired the lease; this replica schedules");
    case "stopped-leading":
      return log.error(
        { ...fields, reason: event.reason },
        "leader election: lost the lease; stopped scheduling",
      );
    case "new-leader":
      return log.info(
        { ...fields, holder: event.holder },
        event.holder ? "leader election: the lease is held" : "leader election: the lease was released",
      );
    case "attempt-failed":
      if (elector.isLeader)
        log.warn({ ...fields, err: event.error }, "leader election: renewing the lease failed");
      else if (
        !(event.error instanceof LeaseConflictError) &&
        nowMs - state.lastStandbyWarnMs >= STANDBY_WARN_EVERY_MS
      ) {
        state.lastStandbyWarnMs = nowMs;
        log.warn(
          { ...fields, err: event.error },
          "leader election: cannot acquire the lease (this replica stays standby and schedules nothing until it can)",
        );
      } else log.debug({ ...fields, err: event.error }, "leader election: acquiring the lease failed");
      return;
    case "release-failed":
      return log.warn({ ...fields, err: event.error }, "leader election: releasing the lease failed");
  }
}
