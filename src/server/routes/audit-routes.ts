import { type Context, Hono } from "hono";
import type { AuditQuery, AuditReader } from "../../audit/audit-entry.ts";
import { readAuditPage } from "../../audit/audit-paging.ts";
import { HttpError } from "../http-error.ts";
import { auditLogPage } from "../page/audit-page.ts";
import { PAGE_HEADERS } from "../page/layout.ts";
import { notFoundPage } from "../page/not-found-page.ts";
import { linkNextPage } from "./pagination.ts";
import { beforeTime, idParam, listLimit, quote } from "./query.ts";

export interface AuditRouteDeps {
  audit: AuditReader;
  version: string;
}

/**
 * `GET /api/audit` and the page `/audit`: the audit log, newest first, filtered by `actor`,
 * `action`, `dag` (the DAG and its runs), `before` (ISO time), `limit` (1-1000, default 100). Who
 * may read it (admins) is decided where these routes are mounted.
 */
export function auditRoutes(deps: AuditRouteDeps): Hono {
  const app = new Hono();
  app.get("/api/audit", async (c) => {
    const query = auditQueryOf(c, { emptyIsAbsent: false });
    const { items, nextBefore } = await readAuditPage(deps.audit, query);
    linkNextPage(c, query.limit, nextBefore);
    return c.json(items);
  });
  app.get("/audit", async (c) => {
    const frame = { now: new Date(), version: deps.version };
    let query: AuditQuery;
    try {
      query = auditQueryOf(c, { emptyIsAbsent: true });
    } catch (error) {
      // A page's error is a page: the JSON error boundary is for the API.
      if (error instanceof HttpError) return c.html(notFoundPage(error.message, frame), 400, PAGE_HEADERS);
      throw error;
    }
    return c.html(auditLogPage(query, await readAuditPage(deps.audit, query), frame), 200, PAGE_HEADERS);
  });
  return app;
}

/** The query's filters, each checked; a bad one is a 400 naming it. Forms send empty fields for "any". */
function auditQueryOf(c: Context, options: { emptyIsAbsent: boolean }): AuditQuery {
  const param = (name: string) => {
    const raw = c.req.query(name);
    return options.emptyIsAbsent && raw === "" ? undefined : raw;
  };
  const dag = param("dag");
  return {
    actor: textParam("actor", param("actor"), 320),
    action: actionParam(param("action")),
    dag: dag === undefined ? undefined : idParam("dag", dag),
    before: beforeTime(param("before")),
    limit: listLimit(param("limit")),
  };
}

/** An actor: an email or a token's name. */
function textParam(name: string, raw: string | undefined, maxLength: number): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length === 0) throw new HttpError(400, "bad_request", `${name} must not be empty`);
  if (raw.length > maxLength || /[\p{Cc}]/u.test(raw))
    throw new HttpError(
      400,
      "bad_request",
      `${name} must be at most ${maxLength} characters without control characters, got ${quote(raw)}`,
    );
  return raw;
}

const ACTION = /^[a-z][a-z-]{0,39}$/;

/** An action: `trigger`, `pause`, `retry-failed`, … */
function actionParam(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!ACTION.test(raw))
    throw new HttpError(
      400,
      "bad_request",
      `action must be an action name such as trigger, pause or retry-failed (lower-case letters and '-'), got ${quote(raw)}`,
    );
  return raw;
}
