import { Hono } from "hono";
import { highestRole } from "../../access/grant.ts";
import { type AccessSettings, readsNeedCredentials, writesFollowLoopbackRules } from "./access-settings.ts";
import type { AppEnv } from "./app-env.ts";

/** `GET /api/me`: who the server takes the caller for, their role, and on which DAG folders. */
export function meRoutes(settings: AccessSettings): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/api/me", (c) => {
    const principal = c.get("principal");
    const auth = settings.sessions
      ? "oidc"
      : readsNeedCredentials(settings) || settings.apiToken
        ? "token"
        : "none";
    if (!principal)
      return c.json({
        authenticated: false,
        auth,
        // Without any credential, writes on a loopback listener are the local user's.
        ...(writesFollowLoopbackRules(settings) && settings.listensOnLoopback
          ? { actor: "local user", role: "admin", via: "loopback" }
          : { actor: null, role: null, via: null }),
      });
    return c.json({
      authenticated: true,
      auth,
      actor: principal.actor,
      role: highestRole(principal.grants) ?? null,
      via: principal.via,
      ...(principal.name === undefined ? {} : { name: principal.name }),
      ...(principal.groups === undefined ? {} : { groups: principal.groups }),
      grants: principal.grants.map((grant) => ({
        role: grant.role,
        dags: grant.scope ? grant.scope.globs : null,
      })),
    });
  });
  return app;
}
