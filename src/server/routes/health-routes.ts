import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";

/**
 * `/healthz` (liveness: is the daemon's loop alive) and `/readyz` (has the first DAG load finished).
 * A git-mode standby does not sync until it leads, so it is ready at once: it serves the page and
 * reads. A folder-mode standby loads the folder like a leader and is ready once it has.
 */
export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => {
    const report = deps.health();
    return c.json({ status: report.ok ? "ok" : "unhealthy", ...report }, report.ok ? 200 : 503);
  });
  app.get("/readyz", (c) => {
    const standby = deps.leadership?.().isLeader === false;
    const role = standby ? { role: "standby" } : {};
    if (deps.registry.loaded || (standby && deps.source.status().mode === "git"))
      return c.json({ status: "ready", ...role }, 200);
    return c.json({ status: "not ready", reason: "the first DAG load has not finished", ...role }, 503);
  });
  return app;
}
