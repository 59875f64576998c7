import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { highestRole, roleOnDag } from "../../access/grant.ts";
import type { Principal } from "../../access/principal.ts";
import { roleCovers } from "../../access/role.ts";
import { HttpError } from "../http-error.ts";
import { PAGE_HEADERS } from "../page/layout.ts";
import { noRolePage } from "../page/no-role-page.ts";
import {
  type AccessSettings,
  loginIsOn,
  readsNeedCredentials,
  writesFollowLoopbackRules,
} from "./access-settings.ts";
import type { AppEnv } from "./app-env.ts";
import { identify } from "./identify.ts";
import type { PageAccess } from "./page-access.ts";
import { tokenFormPage } from "./token-form-page.ts";

/** Open whatever login says: probes, the signed webhook, and the ways to sign in. */
const OPEN_PATHS = new Set([
  "/healthz",
  "/readyz",
  "/webhooks/github",
  "/auth/token",
  "/auth/login",
  "/auth/callback",
  "/auth/logout",
]);

export interface AuthenticateOptions {
  settings: AccessSettings;
  /** A loaded DAG's file relative to the DAGs folder (what role scopes match); undefined when not loaded. */
  dagPath: (dagId: string) => string | undefined;
  version: string;
}

/**
 * Names each request (`X-Request-Id`), works out who sent it and what the page may show them,
 * and, when reads need credentials, refuses reads without them: the API with 401/403 JSON, a page
 * by sending the browser to sign in (or to the token form).
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  const { settings } = options;
  return async (c, next) => {
    const requestId = randomUUID();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    const { principal } = await identify(c, settings);
    c.set("principal", principal);
    c.set("access", pageAccess(principal, options));
    if (!isRead(c) || isOpen(c.req.path, settings) || !readsNeedCredentials(settings)) return next();
    if (principal && principal.grants.length > 0) return next();
    // Someone signed in without a role may still ask who the server takes them for.
    if (principal && c.req.path === "/api/me") return next();
    return refuseRead(c, principal, options);
  };
}

function isRead(c: Context): boolean {
  return c.req.method === "GET" || c.req.method === "HEAD";
}

function isOpen(path: string, settings: AccessSettings): boolean {
  return OPEN_PATHS.has(path) || (path === "/metrics" && !settings.metricsAuth);
}

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/") || path === "/metrics";
}

async function refuseRead(
  c: Context<AppEnv>,
  principal: Principal | undefined,
  options: AuthenticateOptions,
): Promise<Response> {
  const { settings } = options;
  if (principal) {
    const message = `you are signed in as ${principal.actor}, but no role in this server's roles file (--roles) matches you; ask an admin to add your email or group`;
    if (isApi(c.req.path)) throw new HttpError(403, "forbidden", message);
    const page = noRolePage({
      actor: principal.actor,
      now: new Date(),
      version: options.version,
      csrfToken: principal.csrfToken,
    });
    return c.html(page, 403, PAGE_HEADERS);
  }
  if (isApi(c.req.path))
    throw new HttpError(
      401,
      "unauthorized",
      loginIsOn(settings)
        ? `this server requires a session or a token for reads: sign in at /auth/login, or send Authorization: Bearer <token>${settings.readToken === undefined ? "" : " (the read token opens reads)"}`
        : "this server requires a token for reads (--read-token): send Authorization: Bearer <read token or API token>",
    );
  const path = `${c.req.path}${new URL(c.req.url).search}`;
  if (settings.sessions) return c.redirect(settings.sessions.loginPath(path), 303);
  return c.html(
    tokenFormPage({ next: c.req.path, refused: false, now: new Date(), version: options.version }),
    401,
    PAGE_HEADERS,
  );
}

/** What the page shows and hides for this viewer (the API decides for itself, in `authorize`). */
function pageAccess(principal: Principal | undefined, options: AuthenticateOptions): PageAccess {
  const { settings } = options;
  const grants = principal?.grants ?? [];
  const openWrites = writesFollowLoopbackRules(settings);
  // A session's role decides; otherwise the page can ask for a token (or, without any, the loopback rules apply).
  const decidedByRole = principal?.via === "session";
  const fallback = openWrites ? settings.listensOnLoopback : true;
  const operatorOn = (dagId: string) =>
    roleCovers(roleOnDag(grants, options.dagPath(dagId)) ?? "viewer", "operator");
  const highest = highestRole(grants);
  const onlyAdminEverywhere = roleOnDag(grants, undefined) === "admin";
  return {
    viewer: principal && { actor: principal.actor, role: highest ?? null, via: principal.via },
    unauthenticated: openWrites && settings.readToken === undefined,
    login: settings.sessions !== undefined,
    canOperate: (dagId) => (decidedByRole ? grants.length > 0 && operatorOn(dagId) : fallback),
    canSync: decidedByRole ? highest !== undefined && roleCovers(highest, "operator") : fallback,
    canAudit: principal ? onlyAdminEverywhere : !readsNeedCredentials(settings) && !loginIsOn(settings),
    csrfToken: principal?.csrfToken,
  };
}
