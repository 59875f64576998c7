import type { Context } from "hono";
import type { AppEnv } from "./app-env.ts";
import type { Role } from "../../access/role.ts";

/**
 * What a page shows of who is looking and what they may do: the lead's authorisation middleware
 * puts one on every request as `c.get("access")`; pages read it to show the signed-in user and
 * to hide the buttons a role cannot use (the API refuses them anyway).
 */
export interface PageAccess {
  /** Who is signed in (session or token form), with their highest role; undefined: nobody. */
  readonly viewer?: { actor: string; role: Role | null; via: "session" | "token" | "loopback" } | undefined;
  /** No auth of any kind is configured: the page says so plainly. */
  readonly unauthenticated: boolean;
  /** Sign-in by the identity provider is on: the page offers "Sign out" (`POST /auth/logout`). */
  readonly login: boolean;
  /** True when write buttons for this DAG (by its id) should be shown. */
  canOperate(dagId: string): boolean;
  /** Sync now: any operator grant. */
  readonly canSync: boolean;
  /** The audit log (admins only). */
  readonly canAudit: boolean;
  /** For a session: sent as `X-CSRF-Token` on writes (put it in a `<meta name="csrf-token">`). */
  readonly csrfToken?: string | undefined;
}

/** Everything allowed, nobody named: what tests and pages built without the middleware see. */
export const OPEN_PAGE_ACCESS: PageAccess = {
  unauthenticated: true,
  login: false,
  canOperate: () => true,
  canSync: true,
  canAudit: true,
};

/** The request's PageAccess (OPEN_PAGE_ACCESS when the middleware did not run, as in unit tests). */
export function pageAccessOf(c: Context<AppEnv>): PageAccess {
  return (c.get("access") as PageAccess | undefined) ?? OPEN_PAGE_ACCESS;
}
