import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Backfill } from "../../runs/backfill-model.ts";
import { DEFAULT_MAX_CONF_BYTES } from "../../config/limit-flags.ts";
import { idRecord, ownValue } from "../../store/id-record.ts";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../../store/json-depth.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../auth/app-env.ts";
import { writeGuard } from "../auth/write-guard.ts";
import { CONF_ENVELOPE_BYTES, confTooLarge } from "../conf-limit.ts";
import { HttpError } from "../http-error.ts";
import { backfillView } from "../views/backfill-view.ts";
import { idParam } from "./query.ts";
import { schedulerCall } from "./run-routes.ts";

const rangeEnd = z.string().min(1, "must not be empty").max(40, "is longer than any ISO date-time");
const backfillBody = z.strictObject({
  from: rangeEnd,
  to: rangeEnd,
  conf: z.record(z.string(), z.unknown()).optional(),
  maxActiveRuns: z.number().int().min(1).max(1000).optional(),
  reverse: z.boolean().optional(),
  rerun: z.enum(["missing", "failed", "all"]).optional(),
});

/** Backfills: start one over a date range, follow its progress, cancel it. */
export function backfillRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const guard = writeGuard(deps);
  const maxConfBytes = deps.maxConfBytes ?? DEFAULT_MAX_CONF_BYTES;
  // Read with a byte limit: the conf plus room for the range and the options.
  const limitBody = bodyLimit({
    maxSize: maxConfBytes + CONF_ENVELOPE_BYTES,
    onError: () => {
      throw confTooLarge(maxConfBytes);
    },
  });
  const backfills = () => Object.values(deps.store.state.backfills);
  const backfillOr404 = (raw: string): Backfill => {
    const id = idParam("backfillId", raw);
    const backfill = ownValue(deps.store.state.backfills, id);
    if (!backfill) throw new HttpError(404, "not_found", `no backfill with id "${id}"`);
    return backfill;
  };
  const actorOf = (c: Context<AppEnv>) => c.get("principal")?.actor;

  const onDag = guard("backfill", "operator", (c) => {
    const dagId = idParam("dagId", c.req.param("dagId") ?? "");
    return { target: `dag/${dagId}`, dagId: () => dagId };
  });
  app.post("/api/dags/:dagId/backfills", onDag, limitBody, async (c) => {
    const dagId = idParam("dagId", c.req.param("dagId"));
    if (!deps.registry.get(dagId)) throw new HttpError(404, "not_found", `no DAG with id "${dagId}"`);
    const json = await jsonBody(c);
    const body = backfillBody.safeParse(json);
    if (!body.success)
      throw new HttpError(
        400,
        "bad_request",
        `body must be {"from", "to", "conf"?, "maxActiveRuns"?, "reverse"?, "rerun"?: "missing"|"failed"|"all"}: ${body.error.issues
          .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
          .join("; ")}`,
      );
    // The parsed JSON's conf, not zod's copy: that one drops a `__proto__` key.
    const conf = idRecord((json as { conf?: Record<string, unknown> }).conf);
    if (nestedDeeperThan(conf))
      throw new HttpError(
        400,
        "bad_request",
        `conf is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it`,
      );
    if (Buffer.byteLength(JSON.stringify(conf)) > maxConfBytes) throw confTooLarge(maxConfBytes);
    const { from, to, maxActiveRuns, reverse = false, rerun = "missing" } = body.data;
    const input = { from, to, conf, maxActiveRuns, reverse, rerun };
    c.set("auditInput", input);
    if (deps.scheduler.isPaused(dagId))
      throw new HttpError(409, "paused", `DAG "${dagId}" is paused; unpause it to backfill`);
    const backfill = await schedulerCall(() => deps.scheduler.backfill(dagId, input, actorOf(c)));
    return c.json(backfillView(backfill), 201);
  });
  app.get("/api/dags/:dagId/backfills", (c) => {
    const dagId = idParam("dagId", c.req.param("dagId"));
    const own = backfills().filter((backfill) => backfill.dagId === dagId);
    if (!deps.registry.get(dagId) && own.length === 0)
      throw new HttpError(404, "not_found", `no DAG with id "${dagId}"`);
    return c.json(newestFirst(own).map(backfillView));
  });
  app.get("/api/backfills/:backfillId", (c) =>
    c.json(backfillView(backfillOr404(c.req.param("backfillId")))),
  );
  const onBackfill = guard("backfill-cancel", "operator", (c) => {
    const id = idParam("backfillId", c.req.param("backfillId") ?? "");
    return { target: `backfill/${id}`, dagId: () => ownValue(deps.store.state.backfills, id)?.dagId };
  });
  app.post("/api/backfills/:backfillId/cancel", onBackfill, async (c) => {
    const id = backfillOr404(c.req.param("backfillId")).id;
    const cancelled = await schedulerCall(() => deps.scheduler.cancelBackfill(id, actorOf(c) ?? "anonymous"));
    const view = backfillView(cancelled);
    return c.json({
      ...view,
      message: `backfill cancelled: no more runs are created; the ${view.active} run(s) under way finish (stop them one by one to end them now)`,
    });
  });
  return app;
}

/** Backfills newest first (by creation time, then id). */
export function newestFirst(list: readonly Backfill[]): Backfill[] {
  return [...list].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
  );
}

async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, "bad_request", "body is not valid JSON");
  }
}
