import { type Context, Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { HttpError } from "../http-error.ts";
import { idParam } from "../routes/query.ts";
import { dagViewContext } from "../views/dag-view.ts";
import { logOffsetOf, taskTryOf, tryIsLive } from "../views/task-log.ts";
import { dagPage } from "./dag-page.ts";
import type { Html } from "./html.ts";
import { PAGE_HEADERS } from "./layout.ts";
import { logPage } from "./log-page.ts";
import { logTail } from "./log-tail.ts";
import { notFoundPage } from "./not-found-page.ts";
import { runPage } from "./run-page.ts";
import { statusPage } from "./status-page.ts";
import { StatusPageCache } from "./status-page-cache.ts";

/** The server-rendered status pages: `/`, `/dags/:dagId`, `/runs/:runId` and a task try's log. */
export function pageRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const frame = () => ({ now: new Date(), version: deps.version });
  const send = (c: Context, page: Html, status: 200 | 400 | 404 = 200) => c.html(page, status, PAGE_HEADERS);
  // Page errors are pages: the JSON error boundary is for the API.
  const pageOr404 = async (c: Context, render: () => Html | Promise<Html>) => {
    try {
      return send(c, await render());
    } catch (error) {
      if (error instanceof HttpError && (error.status === 404 || error.status === 400))
        return send(c, notFoundPage(error.message, frame()), error.status);
      throw error;
    }
  };

  const statusPageCache = new StatusPageCache(deps);
  app.get("/", (c) => {
    const now = new Date();
    const body = statusPageCache.get(now.getTime(), () => statusPage(deps, now));
    return c.body(body, 200, { ...PAGE_HEADERS, "content-type": "text/html; charset=UTF-8" });
  });
  app.get("/dags/:dagId", (c) =>
    pageOr404(c, () => {
      const dag = deps.registry.get(c.req.param("dagId"));
      if (!dag) throw new HttpError(404, "not_found", `No DAG with id "${c.req.param("dagId")}" is loaded.`);
      const now = new Date();
      return dagPage(dag, { ...dagViewContext(deps), now }, { now, version: deps.version });
    }),
  );
  app.get("/runs/:runId", (c) =>
    pageOr404(c, () => runPage(runOr404(deps, idParam("runId", c.req.param("runId"))), frame())),
  );
  app.get("/runs/:runId/tasks/:taskId/logs", (c) =>
    pageOr404(c, async () => {
      const run = runOr404(deps, idParam("runId", c.req.param("runId")));
      const taskId = idParam("taskId", c.req.param("taskId"));
      const { task, tryNumber } = taskTryOf(run, taskId, c.req.query("try"));
      const file = deps.scheduler.logFile(run, task.id, tryNumber);
      const excerpt = await logTail(file, {
        end: c.req.query("end") === undefined ? undefined : logOffsetOf(c.req.query("end")),
        live: tryIsLive(task, tryNumber),
        mask: deps.mask,
      });
      return logPage(run, task, tryNumber, excerpt, frame());
    }),
  );
  return app;
}

function runOr404(deps: AppDeps, runId: string) {
  const run = deps.store.getRun(runId);
  if (!run) throw new HttpError(404, "not_found", `No run with id "${runId}".`);
  return run;
}
