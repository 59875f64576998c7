import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Grant } from "../../access/grant.ts";
import type { Principal } from "../../access/principal.ts";
import { secretsEqual } from "../secret-compare.ts";
import type { AccessSettings } from "./access-settings.ts";
import { READ_COOKIE, readCookieValue } from "./read-access.ts";

const ADMIN: readonly Grant[] = [{ role: "admin" }];
const VIEWER: readonly Grant[] = [{ role: "viewer" }];

/** Who a request says it is, and whether a bearer token it sent was refused. */
export interface Identification {
  principal: Principal | undefined;
  /** It sent `Authorization: Bearer` with a token nobody issued. */
  badBearer: boolean;
}

/**
 * Works out who sent a request: a bearer token (the API token is an admin, the read token a
 * viewer, a tokens-file token what the file says), a session, or the token form's cookie.
 */
export async function identify(c: Context, settings: AccessSettings): Promise<Identification> {
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
    const principal = bearerPrincipal(bearer, settings);
    return { principal, badBearer: principal === undefined };
  }
  // A session first: a token form's cookie left from before sign-in would otherwise hide it.
  const user = await settings.sessions?.read(c);
  if (user) {
    const grants = settings.roles?.grantsFor({ email: user.email, groups: user.groups }) ?? [];
    return {
      principal: {
        actor: user.email ?? user.sub,
        via: "session",
        grants,
        name: user.name,
        groups: user.groups,
        csrfToken: user.csrfToken,
      },
      badBearer: false,
    };
  }
  const cookie = getCookie(c, READ_COOKIE);
  const principal = cookie === undefined ? undefined : readCookiePrincipal(cookie, settings);
  return { principal, badBearer: false };
}

function bearerPrincipal(bearer: string, settings: AccessSettings): Principal | undefined {
  if (bearer === "") return undefined;
  // Both fixed tokens are compared whatever the first gave, so timing says nothing.
  const isApi = settings.apiToken !== undefined && secretsEqual(bearer, settings.apiToken);
  const isRead = settings.readToken !== undefined && secretsEqual(bearer, settings.readToken);
  if (isApi) return { actor: "api-token", via: "token", grants: ADMIN };
  const named = settings.tokens?.match(bearer);
  if (named) return { actor: named.name, via: "token", grants: [named.grant] };
  if (isRead) return { actor: "read-token", via: "token", grants: VIEWER };
  return undefined;
}

function readCookiePrincipal(cookie: string, settings: AccessSettings): Principal | undefined {
  const isApi = settings.apiToken !== undefined && secretsEqual(cookie, readCookieValue(settings.apiToken));
  const isRead =
    settings.readToken !== undefined && secretsEqual(cookie, readCookieValue(settings.readToken));
  if (isApi) return { actor: "api-token", via: "token", grants: ADMIN, readOnly: true };
  if (isRead) return { actor: "read-token", via: "token", grants: VIEWER, readOnly: true };
  return undefined;
}
