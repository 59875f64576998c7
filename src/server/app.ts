import { Hono } from "hono";
import type { AppDeps } from "./app-deps.ts";
import { loopbackHostGuard } from "./auth/loopback-host.ts";
import type { AppEnv } from "./auth/app-env.ts";
import { authenticate } from "./auth/authenticate.ts";
import { meRoutes } from "./auth/me-routes.ts";
import { requireAuditReader } from "./auth/authorize.ts";
import { auditRoutes } from "./routes/audit-routes.ts";
import { dagHistory } from "../audit/dag-history.ts";
import { tokenFormRoutes } from "./auth/token-form-routes.ts";
import { HttpError } from "./http-error.ts";
import { HistoryUnreadableError } from "../store/history-reader.ts";
import { historyUnreadable } from "./history-unreadable.ts";
import { maskResponses } from "./mask-responses.ts";
import { pageRoutes } from "./page/page-routes.ts";
import { requestLog } from "./request-log.ts";
import { healthRoutes } from "./routes/health-routes.ts";
import { metricsRoutes } from "./routes/metrics-routes.ts";
import { backfillRoutes } from "./routes/backfill-routes.ts";
import { runRoutes } from "./routes/run-routes.ts";
import { syncRoutes } from "./routes/sync-routes.ts";
import { notificationRoutes } from "./routes/notification-routes.ts";
import { webhookRoutes } from "./routes/webhook-routes.ts";
import { standbyGuard } from "./standby-guard.ts";

/** The daemon's HTTP app, with its typed request variables. */
export type UpdraftApp = Hono<AppEnv>;

/**
 * The daemon's HTTP API. Every JSON and HTML answer passes through the secret mask. One error boundary: HttpError → its status; a state store that cannot write
 * → 503; anything else → 500 without details.
 */
export function createApp(deps: AppDeps): UpdraftApp {
  const app = new Hono<AppEnv>();
  // Outermost, so error answers are masked too.
  app.use(maskResponses(deps.mask));
  if (deps.log) app.use(requestLog(deps.log));
  if (deps.auth.listensOnLoopback) app.use(loopbackHostGuard());
  app.use(
    authenticate({
      settings: deps.auth,
      dagPath: (dagId) => deps.registry.get(dagId)?.pathInDags,
      version: deps.version,
    }),
  );
  if (deps.leadership) app.use("*", standbyGuard(deps.leadership));
  app.route("/", tokenFormRoutes(deps.auth, deps.version));
  if (deps.auth.sessions) app.route("/", deps.auth.sessions.routes());
  app.route("/", meRoutes(deps.auth));
  app.route("/", healthRoutes(deps));
  if (deps.metrics) app.route("/", metricsRoutes(deps.metrics));
  app.route("/", syncRoutes(deps));
  app.route("/", notificationRoutes(deps));
  app.route("/", runRoutes(deps));
  app.route("/", backfillRoutes(deps));
  app.route("/", webhookRoutes(deps));
  if (deps.audit) {
    const { audit } = deps;
    app.use("/api/audit", requireAuditReader(deps.auth));
    app.use("/audit", requireAuditReader(deps.auth));
    app.route("/", auditRoutes({ audit, version: deps.version }));
    app.route("/", pageRoutes(deps, { dagHistory: (dagId) => dagHistory(audit, dagId, 20) }));
  } else app.route("/", pageRoutes(deps));
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((error, c) => {
    if (error instanceof HttpError)
      return c.json(
        {
          error: {
            code: error.code,
            message: error.message,
            ...(error.problems ? { problems: error.problems } : {}),
          },
        },
        error.status,
      );
    deps.log?.error({ err: error, method: c.req.method, path: c.req.path }, "request failed");
    if (error instanceof HistoryUnreadableError) return historyUnreadable(c, error);
    // Not the request's fault and not a bug: the disk is full or read-only. Say so, retryably.
    const storeError = deps.store.writeError;
    if (storeError)
      return c.json(
        {
          error: {
            code: "store_unavailable",
            message: `the state store cannot write (${storeError.message}); nothing can be changed until it can: see /healthz`,
          },
        },
        503,
      );
    return c.json({ error: { code: "internal", message: "internal error" } }, 500);
  });
  return app;
}
