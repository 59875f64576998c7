import type { Context, MiddlewareHandler } from "hono";
import { highestRole, roleOnDag } from "../../access/grant.ts";
import type { Principal } from "../../access/principal.ts";
import { roleCovers, type Role } from "../../access/role.ts";
import type { AuditSink } from "../../audit/audit-entry.ts";
import type { Logger } from "../../log/logger.ts";
import { HttpError } from "../http-error.ts";
import { type AccessSettings, readsNeedCredentials, writesFollowLoopbackRules } from "./access-settings.ts";
import type { AppEnv } from "./app-env.ts";
import { checkCsrf } from "./csrf.ts";
import { checkLocalWrite } from "./write-auth.ts";

/** Anyone on this machine, when no credential can write (no API token, no tokens, no sign-in). */
const LOCAL_USER: Principal = { actor: "local user", via: "loopback", grants: [{ role: "admin" }] };

/** What a write acts on: the audit entry's target, and the DAG whose scope decides (if any). */
export interface WriteTarget {
  target: string;
  /**
   * The DAG acted on, looked up only when a role must be checked (a run's DAG comes from the
   * store); absent for actions on no DAG (sync now). Undefined: no such run or DAG.
   */
  dagId?: (() => string | undefined) | undefined;
}

export interface WriteGuardDeps {
  settings: AccessSettings;
  dagPath: (dagId: string) => string | undefined;
  audit?: AuditSink | undefined;
  log?: Logger | undefined;
}

/**
 * Guards one write route: `action` needs `role` on the target's DAG (or, for actions on no DAG,
 * in any grant). Refusals and answers alike are appended to the audit log before the client
 * hears of them.
 */
export function authorizeWrite(
  deps: WriteGuardDeps,
  action: string,
  role: Role,
  targetOf: (c: Context<AppEnv>) => WriteTarget,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const target = targetOf(c);
    let principal: Principal;
    try {
      principal = allowedWriter(c, deps, action, role, target);
    } catch (error) {
      // A refusal changed nothing: it is answered as such even when its entry cannot be written.
      if (error instanceof HttpError)
        await appendAudit(c, deps, action, target, error.status).catch((auditError: unknown) =>
          deps.log?.error({ err: auditError, action, target: target.target }, "audit entry not written"),
        );
      throw error;
    }
    c.set("principal", principal);
    await next();
    try {
      await appendAudit(c, deps, action, target, c.res.status);
    } catch (error) {
      deps.log?.error({ err: error, action, target: target.target }, "audit entry not written");
      const status = c.res.status;
      // A refused write changed nothing: its own answer says why. One that took effect must not
      // be acknowledged as if it had been recorded.
      if (status >= 400) return;
      c.res = undefined;
      c.res = c.json(
        {
          error: {
            code: "audit_unavailable",
            message: `the ${action} took effect (${status}), but its audit entry could not be written (${(error as Error).message}): do not repeat it; free the state dir's disk so the audit log can be written`,
          },
        },
        503,
      );
    }
  };
}

/** Who may write this, or the 401/403 that says why not. */
function allowedWriter(
  c: Context<AppEnv>,
  deps: WriteGuardDeps,
  action: string,
  role: Role,
  target: WriteTarget,
): Principal {
  const { settings } = deps;
  if (writesFollowLoopbackRules(settings)) {
    if (!settings.listensOnLoopback)
      throw new HttpError(
        403,
        "forbidden",
        "write endpoints are disabled: this server listens beyond loopback without an API token; start updraft with --api-token <token> (or UPDRAFT_API_TOKEN)",
      );
    checkLocalWrite(c);
    return LOCAL_USER;
  }
  const principal = c.get("principal");
  if (!principal || principal.readOnly) {
    if (!principal && /^Bearer\s+\S/i.test(c.req.header("authorization") ?? ""))
      throw new HttpError(401, "unauthorized", "invalid bearer token");
    throw new HttpError(
      401,
      "unauthorized",
      settings.sessions
        ? "sign in at /auth/login, or send Authorization: Bearer <token>"
        : "missing bearer token: send Authorization: Bearer <api token>",
    );
  }
  if (principal.via === "session") checkCsrf(c, principal, settings.publicOrigin);
  const onDag = target.dagId !== undefined;
  const dagId = target.dagId?.();
  const dagFile = dagId === undefined ? undefined : deps.dagPath(dagId);
  const has = onDag ? roleOnDag(principal.grants, dagFile) : highestRole(principal.grants);
  if (has === undefined || !roleCovers(has, role)) {
    const on = !onDag
      ? ""
      : dagFile === undefined
        ? ` on ${dagId === undefined ? "a run of no loaded DAG" : `DAG "${dagId}", which is not loaded`} (only an unscoped role reaches it)`
        : ` on DAG "${dagId}" (file ${dagFile})`;
    throw new HttpError(
      403,
      "forbidden",
      `${action} needs the ${role} role${on}; ${principal.actor} has ${has === undefined ? "no role there" : `the ${has} role there`}`,
    );
  }
  return principal;
}

async function appendAudit(
  c: Context<AppEnv>,
  deps: WriteGuardDeps,
  action: string,
  { target }: WriteTarget,
  status: number,
): Promise<void> {
  if (!deps.audit) return;
  const principal = c.get("principal");
  const input = c.get("auditInput");
  await deps.audit.append({
    at: new Date().toISOString(),
    actor: principal?.actor ?? "anonymous",
    role: principal ? (highestRole(principal.grants) ?? null) : null,
    via: principal?.via ?? null,
    action,
    target,
    ...(input === undefined ? {} : { input }),
    status,
    requestId: c.get("requestId") ?? "",
  });
}

/**
 * Guards an admin read (the audit log): when reads need credentials, an unscoped admin role;
 * otherwise open like every other read.
 */
export function requireAuditReader(settings: AccessSettings): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!readsNeedCredentials(settings)) return next();
    const principal = c.get("principal");
    const role = principal ? roleOnDag(principal.grants, undefined) : undefined;
    if (role !== "admin")
      throw new HttpError(
        principal ? 403 : 401,
        principal ? "forbidden" : "unauthorized",
        `the audit log needs the admin role (on every DAG)${principal ? `; ${principal.actor} has ${role ?? "no unscoped role"}` : ": sign in or send Authorization: Bearer <token>"}`,
      );
    return next();
  };
}
