import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log/logger.ts";

// Probes and scrapes arrive every few seconds and say nothing new: logged at debug.
const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Logs each request once it is answered: method, path, status and duration. Only the path: the
 * query string may carry a token, and headers (Authorization, webhook signatures) are never read.
 */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const fields = {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
      if (QUIET_PATHS.has(fields.path)) log.debug(fields, "request");
      else log.info(fields, "request");
    }
  };
}
