import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import * as client from "openid-client";
import { PAGE_HEADERS } from "../../page/layout.ts";
import { localPath } from "../local-path.ts";
import { identityFrom, needsUserinfo, type SignedInIdentity } from "./identity-claims.ts";
import { LoginFailure, loginFailureOf } from "./login-failure.ts";
import { loginFailedPage, loginUnavailablePage } from "./login-pages.ts";
import {
  LOGIN_COOKIE,
  LOGIN_COOKIE_PATH,
  LOGIN_TTL_MS,
  type LoginTransaction,
  newLoginTransaction,
  openLoginTransaction,
  sealLoginTransaction,
} from "./login-transaction.ts";
import { publicHref } from "./oidc-settings.ts";
import { auditSession, auditUnavailable, type OidcRuntime, pageContext } from "./oidc-runtime.ts";
import { SESSION_COOKIE, sealSession, sessionCookieOptions } from "./session-cookie.ts";

/** `/auth/login?next=/path`. */
export function loginPath(next: string): string {
  return `/auth/login?next=${encodeURIComponent(localPath(next))}`;
}

/** `GET /auth/login` (off to the provider) and `GET /auth/callback` (back, checked, signed in). */
export function loginRoutes(runtime: OidcRuntime): Hono {
  const app = new Hono();
  app.get("/auth/login", async (c) => {
    const status = await runtime.provider.status();
    if ("unavailable" in status) return unavailable(c, runtime, status.unavailable);
    const now = runtime.now();
    const transaction = newLoginTransaction(localPath(c.req.query("next")), now);
    const url = client.buildAuthorizationUrl(status.config, {
      redirect_uri: publicHref(runtime.publicUrl, "/auth/callback"),
      scope: scopesFor(status.config, runtime.groupsClaim),
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: "S256",
    });
    setCookie(c, LOGIN_COOKIE, await sealLoginTransaction(transaction, runtime.key, now), {
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level GET from its site.
      sameSite: "Lax",
      path: LOGIN_COOKIE_PATH,
      secure: runtime.secure,
      maxAge: LOGIN_TTL_MS / 1000,
    });
    c.header("cache-control", "no-store");
    return c.redirect(url.href, 303);
  });

  app.get("/auth/callback", async (c) => {
    const now = runtime.now();
    const transaction = await openLoginTransaction(getCookie(c, LOGIN_COOKIE), runtime.key, now);
    deleteCookie(c, LOGIN_COOKIE, { path: LOGIN_COOKIE_PATH, secure: runtime.secure, httpOnly: true });
    c.header("cache-control", "no-store");
    let identity: SignedInIdentity & { idToken?: string | undefined };
    try {
      identity = await signIn(runtime, c.req.url, transaction, now);
    } catch (error) {
      const failure = loginFailureOf(error);
      const reason = runtime.mask(failure.message);
      const audited = await auditSession(runtime, c, {
        actor: "anonymous",
        via: null,
        action: "login",
        status: failure.status,
        input: { reason },
      });
      if (!audited) return auditUnavailable(c, runtime);
      const page = loginFailedPage(reason, loginPath(transaction?.next ?? "/"), pageContext(runtime));
      return c.html(page, failure.status, PAGE_HEADERS);
    }
    const expiresAt = now + runtime.ttlMs;
    const csrfToken = randomBytes(32).toString("base64url");
    const cookie = await sealSession({ ...identity, csrfToken, expiresAt }, runtime.key, now);
    // The session starts only once its audit entry is durable.
    const audited = await auditSession(runtime, c, {
      actor: identity.email ?? identity.sub,
      via: "session",
      action: "login",
      status: 303,
    });
    if (!audited) return auditUnavailable(c, runtime);
    setCookie(
      c,
      SESSION_COOKIE,
      cookie,
      sessionCookieOptions(runtime.secure, Math.floor(runtime.ttlMs / 1000)),
    );
    return c.redirect(transaction?.next ?? "/", 303);
  });
  return app;
}

/** Checks the provider's answer against this browser's transaction; the signed-in identity, or a LoginFailure. */
async function signIn(
  runtime: OidcRuntime,
  requestUrl: string,
  transaction: LoginTransaction | undefined,
  now: number,
): Promise<SignedInIdentity & { idToken?: string | undefined }> {
  if (transaction === undefined)
    throw new LoginFailure(
      400,
      "no sign-in is in progress in this browser, or it took longer than 10 minutes (the login cookie is missing, expired or altered): sign in again",
    );
  // Marked used before anything else: a second use of this callback fails even while the first runs.
  if (!runtime.used.use(transaction.id, transaction.expiresAt, now))
    throw new LoginFailure(400, "this sign-in was already completed (a callback works once): sign in again");
  // The redirect URI as registered, whatever Host the request came in with (a proxy may rewrite it).
  const callbackUrl = new URL(publicHref(runtime.publicUrl, "/auth/callback"));
  callbackUrl.search = new URL(requestUrl).search;
  if (callbackUrl.searchParams.get("state") !== transaction.state)
    throw new LoginFailure(
      400,
      "the callback's state does not match the sign-in started in this browser: sign in again",
    );
  const status = await runtime.provider.status();
  if ("unavailable" in status)
    throw new LoginFailure(503, `the identity provider cannot be reached: ${status.unavailable}`);
  const tokens = await client.authorizationCodeGrant(status.config, callbackUrl, {
    pkceCodeVerifier: transaction.codeVerifier,
    expectedState: transaction.state,
    expectedNonce: transaction.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (claims === undefined) throw new LoginFailure(401, "the provider sent no ID token");
  const userinfo = needsUserinfo(claims, runtime.groupsClaim)
    ? await fetchUserinfo(runtime, status.config, tokens.access_token, claims.sub)
    : undefined;
  const identity = identityFrom(claims, userinfo, runtime);
  return { ...identity, idToken: tokens.id_token };
}

/** Email and groups some providers give only at the userinfo endpoint; without them, the ID token's. */
async function fetchUserinfo(
  runtime: OidcRuntime,
  config: client.Configuration,
  accessToken: string,
  sub: string,
): Promise<Readonly<Record<string, unknown>> | undefined> {
  if (config.serverMetadata().userinfo_endpoint === undefined) return undefined;
  try {
    return await client.fetchUserInfo(config, accessToken, sub);
  } catch (error) {
    runtime.log?.warn(
      { err: String(error) },
      "userinfo request failed; signing in with the ID token's claims",
    );
    return undefined;
  }
}

/** `openid email profile`, plus the groups scope when the provider has one (Dex, Okta: `groups`). */
function scopesFor(config: client.Configuration, groupsClaim: string): string {
  const supported = config.serverMetadata().scopes_supported ?? [];
  const groups = [...new Set(["groups", groupsClaim])].filter((scope) => supported.includes(scope));
  return ["openid", "email", "profile", ...groups].join(" ");
}

/** 503 naming the issuer: HTML for a browser, the JSON error for anything else. */
function unavailable(c: Context, runtime: OidcRuntime, reason: string): Response {
  const masked = runtime.mask(reason);
  const issuer = runtime.issuer.href;
  c.header("retry-after", "10");
  if (/text\/html/i.test(c.req.header("accept") ?? ""))
    return c.html(loginUnavailablePage(issuer, masked, pageContext(runtime)), 503, PAGE_HEADERS);
  return c.json(
    {
      error: {
        code: "login_unavailable",
        message: `sign-in is unavailable: the identity provider ${issuer} (--oidc-issuer) cannot be reached: ${masked}; it is tried again on the next sign-in`,
      },
    },
    503,
  );
}
