import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { requireToken } from "../auth.ts";
import { HttpError } from "../http-error.ts";
import { type DagViewContext, dagDetail, dagSummary } from "../views/dag-view.ts";
import { listLimit } from "./query.ts";

/** What was synced: status, DAGs, import errors, sync history; and "sync now". */
export function syncRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/api/status", (c) => {
    const dags = deps.registry.all();
    const runs = deps.store.activeRuns();
    return c.json({
      sync: deps.source.status(),
      dags: {
        total: dags.length,
        paused: dags.filter((dag) => deps.scheduler.isPaused(dag.definition.id)).length,
        importErrors: deps.registry.importErrors().length,
      },
      runs: {
        running: runs.filter((run) => run.state === "running").length,
        queued: runs.filter((run) => run.state === "queued").length,
      },
      version: deps.version,
      ...(deps.leadership ? { leader: deps.leadership() } : {}),
    });
  });
  app.get("/api/dags", (c) => {
    const context = viewContext(deps);
    return c.json(deps.registry.all().map((dag) => dagSummary(dag, context)));
  });
  app.get("/api/dags/:dagId", (c) => {
    const dag = deps.registry.get(c.req.param("dagId"));
    if (!dag) throw new HttpError(404, "not_found", `no DAG with id "${c.req.param("dagId")}"`);
    return c.json(dagDetail(dag, viewContext(deps)));
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

function viewContext(deps: AppDeps): DagViewContext {
  return { store: deps.store, isPaused: (id) => deps.scheduler.isPaused(id), now: new Date() };
}
