import { createHmac } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { HttpError } from "../http-error.ts";
import { PAGE_HEADERS } from "../page/layout.ts";
import { secretsEqual } from "../secret-compare.ts";
import { tokenFormPage } from "./token-form-page.ts";
import type { WriteAuth } from "./write-auth.ts";

/** Open whatever the read token says: probes, scrapes, the signed webhook, and the token form itself. */
const OPEN_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/webhooks/github", "/auth/token"]);

/** The cookie the token form sets: proof of a token, not the token (the token is never echoed). */
export const READ_COOKIE = "updraft_read";

/** What the cookie holds for `token`: an HMAC only someone who knows the token can compute. */
export function readCookieValue(token: string): string {
  return createHmac("sha256", token).update("updraft read access").digest("base64url");
}

/** Tokens that open reads: the read token and the API token. */
export function readTokens(auth: WriteAuth): string[] {
  return [auth.readToken, auth.apiToken].filter((token): token is string => token !== undefined);
}

/** True when the request proves a read or API token, by bearer header or by the form's cookie. */
export function canRead(c: Context, auth: WriteAuth): boolean {
  const tokens = readTokens(auth);
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  const cookie = getCookie(c, READ_COOKIE);
  let ok = false;
  // Every comparison runs, so the time taken says nothing about which one matched.
  for (const token of tokens) {
    if (bearer !== undefined && secretsEqual(bearer, token)) ok = true;
    if (cookie !== undefined && secretsEqual(cookie, readCookieValue(token))) ok = true;
  }
  return ok;
}

/**
 * With `--read-token`, every request but the open paths needs the read token (or the API token):
 * the API answers 401 JSON, a page answers 401 with the token form.
 */
export function readTokenGuard(auth: WriteAuth, version: string): MiddlewareHandler {
  return async (c, next) => {
    if (auth.readToken === undefined || OPEN_PATHS.has(c.req.path) || canRead(c, auth)) return next();
    if (c.req.path === "/api" || c.req.path.startsWith("/api/"))
      throw new HttpError(
        401,
        "unauthorized",
        "this server requires a token for reads (--read-token): send Authorization: Bearer <read token or API token>",
      );
    const next_ = c.req.method === "GET" ? c.req.path : "/";
    return c.html(
      tokenFormPage({ next: next_, refused: false, now: new Date(), version }),
      401,
      PAGE_HEADERS,
    );
  };
}
