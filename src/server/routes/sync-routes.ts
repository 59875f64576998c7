import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { requireToken } from "../auth.ts";
import { HttpError } from "../http-error.ts";
import { dagDetail, dagSummary, dagViewContext } from "../views/dag-view.ts";
import { statusView } from "../views/status-view.ts";
import { listLimit } from "./query.ts";

/** What was synced: status, DAGs, import errors, sync history; and "sync now". */
export function syncRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/api/status", (c) => c.json(statusView(deps)));
  app.get("/api/dags", (c) => {
    const context = dagViewContext(deps);
    return c.json(deps.registry.all().map((dag) => dagSummary(dag, context)));
  });
  app.get("/api/dags/:dagId", (c) => {
    const dag = deps.registry.get(c.req.param("dagId"));
    if (!dag) throw new HttpError(404, "not_found", `no DAG with id "${c.req.param("dagId")}"`);
    return c.json(dagDetail(dag, dagViewContext(deps)));
  });
  app.get("/api/import-errors", (c) =>
    c.json(
      deps.registry.importErrors().map(({ file, line, column, kind, message, commit, dagId }) => ({
        file,
        line,
        column,
        kind,
        message,
        commit,
        ...(dagId ? { dagId } : {}),
      })),
    ),
  );
  app.get("/api/syncs", (c) => {
    const limit = listLimit(c.req.query("limit"));
    return c.json([...deps.syncHistory()].reverse().slice(0, limit));
  });
  app.post("/api/sync", requireToken(deps.auth), (c) => {
    void deps.source.syncNow();
    return c.json({ accepted: true }, 202);
  });
  return app;
}
