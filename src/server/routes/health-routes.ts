import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";

/**
 * `/healthz` (liveness: is the daemon's loop alive) and `/readyz` (has the first DAG load finished;
 * a standby is ready at once: it serves the page and reads, and may not sync at all).
 */
export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => {
    const report = deps.health();
    return c.json({ status: report.ok ? "ok" : "unhealthy", ...report }, report.ok ? 200 : 503);
  });
  app.get("/readyz", (c) =>
    deps.leadership?.().isLeader === false
      ? c.json({ status: "ready", role: "standby" }, 200)
      : deps.registry.loaded
        ? c.json({ status: "ready" }, 200)
        : c.json({ status: "not ready", reason: "the first DAG load has not finished" }, 503),
  );
  return app;
}
