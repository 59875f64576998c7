import { Hono } from "hono";
import type { AuditReader } from "../../../src/audit/audit-entry.ts";
import { HttpError } from "../../../src/server/http-error.ts";
import { auditRoutes } from "../../../src/server/routes/audit-routes.ts";

/** The audit routes behind the error boundary createApp (src/server/app.ts) puts around every route. */
export function auditApp(audit: AuditReader): Hono {
  const app = new Hono();
  app.route("/", auditRoutes({ audit, version: "test-version" }));
  app.onError((error, c) => {
    if (error instanceof HttpError)
      return c.json({ error: { code: error.code, message: error.message } }, error.status);
    return c.json({ error: { code: "internal", message: "internal error" } }, 500);
  });
  return app;
}
