import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { DEFAULT_MAX_CONF_BYTES } from "../../config/limit-flags.ts";
import { SchedulerError } from "../../scheduler/scheduler.ts";
import { idRecord } from "../../store/id-record.ts";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../../store/json-depth.ts";
import type { RunCursor } from "../../runs/run-order.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../auth/app-env.ts";
import { writeGuard } from "../auth/write-guard.ts";
import { HttpError } from "../http-error.ts";
import { CONF_ENVELOPE_BYTES, confTooLarge } from "../conf-limit.ts";
import { runSummary, runView } from "../views/run-view.ts";
import { readLog } from "../views/log-reader.ts";
import { tryLogSource } from "../views/try-log-source.ts";
import { logLimitOf, logOffsetOf, taskTryOf, tryIsLive } from "../views/task-log.ts";
import { linkNextPage, page } from "./pagination.ts";
import { idParam, isoTime, listLimit, quote } from "./query.ts";

const triggerBody = z.strictObject({ conf: z.record(z.string(), z.unknown()).optional() });

/** Runs: trigger, pause, list, inspect, logs, clear, retry what failed. */
export function runRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const guard = writeGuard(deps);
  const onDag = (action: string) =>
    guard(action, "operator", (c) => {
      const dagId = idParam("dagId", c.req.param("dagId") ?? "");
      return { target: `dag/${dagId}`, dagId: () => dagId };
    });
  const maxConfBytes = deps.maxConfBytes ?? DEFAULT_MAX_CONF_BYTES;
  // Read with a byte limit, never whole: the conf plus room for `{"conf": ...}` and whitespace.
  const limitBody = bodyLimit({
    maxSize: maxConfBytes + CONF_ENVELOPE_BYTES,
    onError: () => {
      throw confTooLarge(maxConfBytes);
    },
  });
  const dagOr404 = (raw: string) => {
    const dagId = idParam("dagId", raw);
    if (!deps.registry.get(dagId)) throw new HttpError(404, "not_found", `no DAG with id "${dagId}"`);
    return dagId;
  };
  /** `?before=<run id>` (the page after that run) or `?before=<ISO time>` (logical dates before it). */
  const runCursor = (raw: string | undefined): RunCursor | undefined => {
    if (raw === undefined) return undefined;
    // An empty id sorts after every real one: the cursor excludes runs at exactly that time.
    if (isoTime.safeParse(raw).success) return { logicalDate: new Date(raw).toISOString(), id: "" };
    const run = deps.store.getRun(raw);
    if (!run)
      throw new HttpError(
        400,
        "bad_request",
        `before must be a run id (the last one of the previous page) or an ISO time, got ${quote(raw)}`,
      );
    return run;
  };

  app.post("/api/dags/:dagId/runs", onDag("trigger"), limitBody, async (c) => {
    const dagId = dagOr404(c.req.param("dagId"));
    const text = await c.req.text();
    let json: unknown = {};
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
      } catch {
        throw new HttpError(400, "bad_request", "body is not valid JSON");
      }
    }
    const body = triggerBody.safeParse(json);
    if (!body.success) {
      throw new HttpError(
        400,
        "bad_request",
        `body must be { "conf"?: object }: ${body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`,
      );
    }
    // The parsed JSON's conf, not zod's copy: that one drops a `__proto__` key (a prototype setter).
    const conf = idRecord((json as { conf?: Record<string, unknown> }).conf);
    // Depth first: measuring a conf nested thousands deep as JSON would overflow the stack.
    if (nestedDeeperThan(conf))
      throw new HttpError(
        400,
        "bad_request",
        `conf is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it (the run's state could not be stored)`,
      );
    if (Buffer.byteLength(JSON.stringify(conf)) > maxConfBytes) throw confTooLarge(maxConfBytes);
    c.set("auditInput", { conf });
    if (deps.scheduler.isPaused(dagId))
      throw new HttpError(409, "paused", `DAG "${dagId}" is paused; unpause it to trigger runs`);
    const by = c.get("principal")?.actor;
    const run = await schedulerCall(() =>
      deps.scheduler.trigger(dagId, conf, by === undefined ? {} : { by }),
    );
    return c.json({ runId: run.id }, 201);
  });
  for (const action of ["pause", "unpause"] as const) {
    app.post(`/api/dags/:dagId/${action}`, onDag(action), async (c) => {
      const dagId = dagOr404(c.req.param("dagId"));
      await schedulerCall(() => deps.scheduler.setPaused(dagId, action === "pause"));
      return c.json({ dagId, paused: action === "pause" });
    });
  }
  // Lists: newest logical date first; `?limit` (1-1000, default 100), `?before=<run id>`.
  app.get("/api/dags/:dagId/runs", (c) => {
    const dagId = idParam("dagId", c.req.param("dagId"));
    // A removed DAG's runs stay listable while its history lasts.
    if (!deps.registry.get(dagId) && deps.store.runsOf(dagId, 1).length === 0)
      throw new HttpError(404, "not_found", `no DAG with id "${dagId}"`);
    const limit = listLimit(c.req.query("limit"));
    const runs = page(
      deps.store.runsOf(dagId, limit + 1, runCursor(c.req.query("before"))),
      limit,
      (r) => r.id,
    );
    linkNextPage(c, limit, runs.nextBefore);
    return c.json(runs.items.map(runSummary));
  });
  app.get("/api/runs", (c) => {
    const limit = listLimit(c.req.query("limit"));
    const runs = page(deps.store.allRuns(limit + 1, runCursor(c.req.query("before"))), limit, (r) => r.id);
    linkNextPage(c, limit, runs.nextBefore);
    return c.json(runs.items.map(runSummary));
  });
  app.get("/api/runs/:runId", (c) => c.json(runView(runOr404(deps, c.req.param("runId")))));
  app.get("/api/runs/:runId/tasks/:taskId/logs", async (c) => {
    const run = runOr404(deps, c.req.param("runId"));
    const { task, tryNumber } = taskTryOf(run, idParam("taskId", c.req.param("taskId")), c.req.query("try"));
    // `?offset=N` returns only the bytes after N, so a follower polls what the log grew by;
    // `?limit=N` at most N of them. X-Log-Next-Offset says where the next piece starts.
    const from = logOffsetOf(c.req.query("offset"));
    const limit = logLimitOf(c.req.query("limit"));
    const file = deps.scheduler.logFile(run, task.id, tryNumber);
    const log = tryLogSource(deps, file, {
      dagId: run.dagId,
      runId: run.id,
      taskId: task.id,
      try: tryNumber,
    });
    const read = await readLog(log, { from, limit, live: tryIsLive(task, tryNumber), mask: deps.mask });
    return c.body(read.stream, 200, {
      "content-type": "text/plain; charset=UTF-8",
      "cache-control": "no-store",
      "x-log-next-offset": String(read.nextOffset),
    });
  });
  const onTask = (action: string) =>
    guard(action, "operator", (c) => {
      const runId = idParam("runId", c.req.param("runId") ?? "");
      const taskId = idParam("taskId", c.req.param("taskId") ?? "");
      return { target: `run/${runId}/task/${taskId}`, dagId: () => deps.store.getRun(runId)?.dagId };
    });
  app.post("/api/runs/:runId/tasks/:taskId/clear", onTask("clear"), async (c) => {
    const runId = idParam("runId", c.req.param("runId"));
    const taskId = idParam("taskId", c.req.param("taskId"));
    const run = await schedulerCall(() => deps.scheduler.clear(runId, taskId));
    return c.json(runView(run));
  });
  const onRun = (action: string) =>
    guard(action, "operator", (c) => {
      const runId = idParam("runId", c.req.param("runId") ?? "");
      return { target: `run/${runId}`, dagId: () => deps.store.getRun(runId)?.dagId };
    });
  app.post("/api/runs/:runId/retry-failed", onRun("retry-failed"), async (c) => {
    const runId = idParam("runId", c.req.param("runId"));
    const run = await schedulerCall(() => deps.scheduler.retryFailed(runId));
    return c.json(runView(run));
  });
  const markLimit = bodyLimit({
    maxSize: 1024,
    onError: () => {
      throw new HttpError(
        413,
        "payload_too_large",
        'a mark body is {"state": "success" | "failed"}, at most 1024 bytes',
      );
    },
  });
  const actorOf = (c: Context<AppEnv>) => c.get("principal")?.actor ?? "anonymous";
  app.post("/api/runs/:runId/stop", onRun("stop"), async (c) => {
    const runId = idParam("runId", c.req.param("runId"));
    const run = await schedulerCall(() => deps.scheduler.controlRun(runId, { action: "stop" }, actorOf(c)));
    return c.json(runView(run));
  });
  app.post("/api/runs/:runId/mark", onRun("mark"), markLimit, async (c) => {
    const runId = idParam("runId", c.req.param("runId"));
    const state = await markStateOf(c);
    const run = await schedulerCall(() =>
      deps.scheduler.controlRun(runId, { action: "mark", state }, actorOf(c)),
    );
    return c.json(runView(run));
  });
  app.post("/api/runs/:runId/tasks/:taskId/mark", onTask("mark"), markLimit, async (c) => {
    const runId = idParam("runId", c.req.param("runId"));
    const taskId = idParam("taskId", c.req.param("taskId"));
    const state = await markStateOf(c);
    const change = { action: "mark", state, taskId } as const;
    const run = await schedulerCall(() => deps.scheduler.controlRun(runId, change, actorOf(c)));
    return c.json(runView(run));
  });
  return app;
}

function runOr404(deps: AppDeps, raw: string) {
  const runId = idParam("runId", raw);
  const run = deps.store.getRun(runId);
  if (!run) throw new HttpError(404, "not_found", `no run with id "${runId}"`);
  return run;
}

const markBody = z.strictObject({ state: z.enum(["success", "failed"]) });

/** The body of a mark: `{"state":"success"|"failed"}`, else a 400 naming the field. */
async function markStateOf(c: Context<AppEnv>): Promise<"success" | "failed"> {
  const json: unknown = await c.req.json().catch(() => undefined);
  const body = markBody.safeParse(json);
  if (!body.success) throw new HttpError(400, "bad_request", 'body must be {"state": "success" | "failed"}');
  c.set("auditInput", { state: body.data.state });
  return body.data.state;
}

/** Maps the scheduler's refusals to their HTTP status. */
export async function schedulerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SchedulerError) {
      const status =
        error.code === "not_found"
          ? 404
          : error.code === "conflict"
            ? 409
            : error.code === "too_many_queued_runs"
              ? 429
              : 400;
      throw new HttpError(status, error.code, error.message, error.problems);
    }
    throw error;
  }
}
