import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie } from "hono/cookie";
import * as client from "openid-client";
import { secretsEqual } from "../../secret-compare.ts";
import { logoutPage, logoutPageHeaders, messagePage } from "./login-pages.ts";
import { publicHref } from "./oidc-settings.ts";
import { auditSession, auditUnavailable, type OidcRuntime, pageContext } from "./oidc-runtime.ts";
import { openSession, SESSION_COOKIE, type SessionRecord } from "./session-cookie.ts";
import { PAGE_HEADERS } from "../../page/layout.ts";

const MAX_FORM_BYTES = 4096;

/**
 * `POST /auth/logout` (a form or fetch from updraft's pages: same Origin, or the session's CSRF
 * token) and `GET /auth/logout` (a link: signs out when the browser says the click came from
 * updraft itself or the address bar, else asks first). Signing someone out is low harm, but a
 * foreign page still cannot do it: it would also end their session at the provider.
 */
export function logoutRoutes(runtime: OidcRuntime): Hono {
  const app = new Hono();
  app.get("/auth/logout", async (c) => {
    const session = await openSession(getCookie(c, SESSION_COOKIE), runtime.key, runtime.now());
    if (session === undefined) return signOut(c, runtime, undefined);
    const site = c.req.header("sec-fetch-site");
    if (site === "same-origin" || site === "none") return signOut(c, runtime, session);
    return c.html(logoutPage(session.csrfToken, pageContext(runtime)), 200, await pageHeaders(runtime));
  });
  app.post(
    "/auth/logout",
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: (c) =>
        c.json(
          {
            error: {
              code: "payload_too_large",
              message: `a sign-out's body exceeds ${MAX_FORM_BYTES} bytes`,
            },
          },
          413,
        ),
    }),
    async (c) => {
      const session = await openSession(getCookie(c, SESSION_COOKIE), runtime.key, runtime.now());
      if (session !== undefined && !(await fromOwnPage(c, runtime, session))) {
        const message =
          "sign-out is accepted only from updraft's own pages (same Origin, or the session's CSRF token as X-CSRF-Token or the form's csrf field)";
        if (
          !(await auditSession(runtime, c, {
            actor: session.email ?? session.sub,
            via: "session",
            action: "logout",
            status: 403,
            input: { reason: message },
          }))
        )
          return auditUnavailable(c, runtime);
        if (/text\/html/i.test(c.req.header("accept") ?? ""))
          return c.html(messagePage("Sign-out refused", message, pageContext(runtime)), 403, PAGE_HEADERS);
        return c.json({ error: { code: "forbidden", message } }, 403);
      }
      return signOut(c, runtime, session);
    },
  );
  return app;
}

/** Clears the cookie, records it, and sends the browser on to the provider's sign-out (or home). */
async function signOut(
  c: Context,
  runtime: OidcRuntime,
  session: SessionRecord | undefined,
): Promise<Response> {
  c.header("cache-control", "no-store");
  if (session !== undefined) {
    const audited = await auditSession(runtime, c, {
      actor: session.email ?? session.sub,
      via: "session",
      action: "logout",
      status: 303,
    });
    if (!audited) return auditUnavailable(c, runtime);
  }
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: runtime.secure, httpOnly: true });
  return c.redirect(session === undefined ? "/" : await endSessionUrl(runtime, session), 303);
}

/** The provider's end_session URL when it has one (with the ID token when the cookie kept it), else `/`. */
async function endSessionUrl(runtime: OidcRuntime, session: SessionRecord): Promise<string> {
  const status = await runtime.provider.status();
  if ("unavailable" in status || status.config.serverMetadata().end_session_endpoint === undefined)
    return "/";
  const parameters: Record<string, string> = {
    post_logout_redirect_uri: publicHref(runtime.publicUrl, "/"),
  };
  if (session.idToken !== undefined) parameters["id_token_hint"] = session.idToken;
  return client.buildEndSessionUrl(status.config, parameters).href;
}

async function fromOwnPage(c: Context, runtime: OidcRuntime, session: SessionRecord): Promise<boolean> {
  if (c.req.header("origin") === runtime.publicUrl.origin) return true;
  const header = c.req.header("x-csrf-token");
  if (header !== undefined) return secretsEqual(header, session.csrfToken);
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) return false;
  const field = new URLSearchParams(await c.req.text()).get("csrf");
  return field !== null && secretsEqual(field, session.csrfToken);
}

/** The confirmation page's form posts to a route that redirects to the provider: allow that origin. */
async function pageHeaders(runtime: OidcRuntime): Promise<Record<string, string>> {
  const status = await runtime.provider.status();
  const endpoint = "config" in status ? status.config.serverMetadata().end_session_endpoint : undefined;
  return endpoint === undefined ? { ...PAGE_HEADERS } : logoutPageHeaders(new URL(endpoint).origin);
}
