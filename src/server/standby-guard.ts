import type { MiddlewareHandler } from "hono";
import type { LeaderView } from "../leader/leader-view.ts";
import { HttpError } from "./http-error.ts";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** On a standby replica every write (API and webhook) is a 503 that names the leader. */
export function standbyGuard(leadership: () => LeaderView): MiddlewareHandler {
  return async (c, next) => {
    if (READS.has(c.req.method)) return next();
    const view = leadership();
    if (view.isLeader) return next();
    const leader = view.holder ? `"${view.holder}" leads` : "no replica leads right now";
    throw new HttpError(
      503,
      "standby",
      `this replica ("${view.identity}") is a standby and accepts no writes; ${leader}: send the request to the leader, or retry`,
    );
  };
}
