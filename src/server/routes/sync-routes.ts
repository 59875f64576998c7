import { Hono } from "hono";
import type { SyncRecord } from "../../sync/sync-status.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../auth/app-env.ts";
import { writeGuard } from "../auth/write-guard.ts";
import { HttpError } from "../http-error.ts";
import { dagDetail, dagSummary, dagViewContext } from "../views/dag-view.ts";
import { dagList } from "../views/dag-list.ts";
import { statusView } from "../views/status-view.ts";
import { DagListCache } from "./dag-list-cache.ts";
import { dagListQuery } from "./dag-list-query.ts";
import { linkNextPage, page } from "./pagination.ts";
import { beforeTime, idParam, listLimit } from "./query.ts";

/** What was synced: status, DAGs, import errors, sync history; and "sync now". */
export function syncRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/api/status", (c) => c.json(statusView(deps)));
  // Id order; `?limit` (1-1000; absent: all), `?before=<DAG id>`, filters `q`, `tag`, `owner`, `folder`, `state`.
  const dagListCache = new DagListCache(deps);
  app.get("/api/dags", (c) => {
    const query = dagListQuery((name) => c.req.query(name));
    const answer = dagListCache.get(Date.now(), query, () => {
      const slice = dagList(deps, query);
      const context = dagViewContext(deps);
      return {
        json: JSON.stringify(slice.items.map((dag) => dagSummary(dag, context))),
        nextBefore: slice.nextBefore,
      };
    });
    if (query.limit !== undefined) linkNextPage(c, query.limit, answer.nextBefore);
    return c.body(answer.json, 200, { "content-type": "application/json" });
  });
  app.get("/api/dags/:dagId", (c) => {
    const dagId = idParam("dagId", c.req.param("dagId"));
    const dag = deps.registry.get(dagId);
    if (!dag) throw new HttpError(404, "not_found", `no DAG with id "${dagId}"`);
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
  // Newest first; `?limit` (1-1000, default 100), `?before=<ISO time>` (records older than it).
  app.get("/api/syncs", (c) => {
    const limit = listLimit(c.req.query("limit"));
    const before = beforeTime(c.req.query("before"));
    const history = deps.syncHistory();
    const newest: SyncRecord[] = [];
    for (let i = history.length - 1; i >= 0 && newest.length <= limit; i--) {
      const record = history[i];
      if (record && (before === undefined || record.at < before)) newest.push(record);
    }
    const records = page(newest, limit, (record) => record.at);
    linkNextPage(c, limit, records.nextBefore);
    return c.json(records.items);
  });
  app.post(
    "/api/sync",
    writeGuard(deps)("sync", "operator", () => ({ target: "sync" })),
    (c) => {
      void deps.source.syncNow();
      return c.json({ accepted: true }, 202);
    },
  );
  return app;
}
