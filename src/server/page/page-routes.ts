import { type Context, Hono } from "hono";
import type { AuditEntry } from "../../audit/audit-entry.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../auth/app-env.ts";
import { pageAccessOf } from "../auth/page-access.ts";
import { HttpError } from "../http-error.ts";
import { idParam } from "../routes/query.ts";
import { type DagListQuery, dagListQuery } from "../routes/dag-list-query.ts";
import { dagViewContext } from "../views/dag-view.ts";
import { logOffsetOf, taskTryOf, tryIsLive } from "../views/task-log.ts";
import { dagPage } from "./dag-page.ts";
import type { Html } from "./html.ts";
import { PAGE_HEADERS } from "./layout.ts";
import { logPage } from "./log-page.ts";
import { tryLogSource } from "../views/try-log-source.ts";
import { logTail } from "./log-tail.ts";
import { notFoundPage } from "./not-found-page.ts";
import { runPage } from "./run-page.ts";
import { statusDags, statusPage } from "./status-page.ts";
import { syncsPage } from "./syncs-page.ts";
import { StatusPageCache } from "./status-page-cache.ts";

/** What the page routes may be given besides the daemon's parts. */
export interface PageRouteOptions {
  /** A DAG's pause and unpause audit entries, newest first (none: the DAG page shows no history). */
  dagHistory?: (dagId: string) => Promise<readonly AuditEntry[]>;
}

/**
 * The server-rendered status pages: `/`, `/syncs`, `/dags/:dagId`, `/runs/:runId` and a task try's log. Each
 * shows the request's viewer and only the buttons their role can use (`pageAccessOf`).
 */
export function pageRoutes(deps: AppDeps, options: PageRouteOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  type PageContext = Context<AppEnv>;
  const frame = (c: PageContext) => ({ now: new Date(), version: deps.version, access: pageAccessOf(c) });
  const send = (c: PageContext, page: Html, status: 200 | 400 | 404 = 200) =>
    c.html(page, status, PAGE_HEADERS);
  // Page errors are pages: the JSON error boundary is for the API.
  const pageOr404 = async (c: PageContext, render: () => Html | Promise<Html>) => {
    try {
      return send(c, await render());
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 400))
        return send(c, notFoundPage(error.message, frame(c)), error.status);
      throw error;
    }
  };

  const statusPageCache = new StatusPageCache(deps);
  app.get("/", (c) => {
    const now = new Date();
    const access = pageAccessOf(c);
    let query: DagListQuery;
    try {
      query = dagListQuery((name) => c.req.query(name));
    } catch (error) {
      if (error instanceof HttpError) return send(c, notFoundPage(error.message, frame(c)), 400);
      throw error;
    }
    const body = statusPageCache.get(now.getTime(), access, query, () =>
      statusPage(deps, now, access, statusDags(deps, query)),
    );
    return c.body(body, 200, { ...PAGE_HEADERS, "content-type": "text/html; charset=UTF-8" });
  });
  app.get("/syncs", (c) => send(c, syncsPage(deps.syncHistory(), deps.commitLinks, frame(c))));
  app.get("/dags/:dagId", (c) =>
    pageOr404(c, async () => {
      const dag = deps.registry.get(c.req.param("dagId"));
      if (!dag) throw new HttpError(404, "not_found", `No DAG with id "${c.req.param("dagId")}" is loaded.`);
      const history = await options.dagHistory?.(dag.definition.id);
      const page = frame(c);
      return dagPage(dag, { ...dagViewContext(deps), now: page.now }, page, history);
    }),
  );
  app.get("/runs/:runId", (c) =>
    pageOr404(c, () => runPage(runOr404(deps, idParam("runId", c.req.param("runId"))), frame(c))),
  );
  app.get("/runs/:runId/tasks/:taskId/logs", (c) =>
    pageOr404(c, async () => {
      const run = runOr404(deps, idParam("runId", c.req.param("runId")));
      const taskId = idParam("taskId", c.req.param("taskId"));
      const { task, tryNumber } = taskTryOf(run, taskId, c.req.query("try"));
      const file = deps.scheduler.logFile(run, task.id, tryNumber);
      const key = { dagId: run.dagId, runId: run.id, taskId: task.id, try: tryNumber };
      const excerpt = await logTail(tryLogSource(deps, file, key), {
        end: c.req.query("end") === undefined ? undefined : logOffsetOf(c.req.query("end")),
        live: tryIsLive(task, tryNumber),
        mask: deps.mask,
      });
      return logPage(run, task, tryNumber, excerpt, frame(c));
    }),
  );
  return app;
}

function runOr404(deps: AppDeps, runId: string) {
  const run = deps.store.getRun(runId);
  if (!run) throw new HttpError(404, "not_found", `No run with id "${runId}".`);
  return run;
}
