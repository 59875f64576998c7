import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createOidcLogin } from "../../../../src/server/auth/oidc/oidc-login.ts";
import { SESSION_COOKIE } from "../../../../src/server/auth/oidc/session-cookie.ts";
import { fetchWithJar } from "../../../support/cookie-jar.ts";
import { startOidcProvider } from "../../../support/oidc-provider.ts";
import { formOf, signInThroughProvider } from "../../../support/oidc-sign-in.ts";
import { useCleanup } from "../../../support/use-cleanup.ts";
import { waitFor } from "../../../support/wait-for.ts";
import { listenLoginApp, loginSettings } from "./support/login-app.ts";

/** A free port of 127.0.0.1, for a provider that starts later. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("sign-out", () => {
  const cleanup = useCleanup();

  const signedIn = async () => {
    const app = await listenLoginApp(cleanup);
    const provider = await startOidcProvider(cleanup, { appOrigin: app.origin });
    const settings = loginSettings(provider, app.origin);
    app.serve(createOidcLogin(settings));
    const { jar, callback } = await signInThroughProvider(app.origin, "alice");
    expect(callback.status).toBe(303);
    expect(jar.get(SESSION_COOKIE)).toBeDefined();
    return { app, provider, jar, audit: settings.audit };
  };

  it("clears the cookie and sends the browser to the provider's end_session with the ID token and the post-logout URI", async () => {
    const { app, provider, jar, audit } = await signedIn();
    const response = await fetchWithJar(jar, `${app.origin}/auth/logout`, {
      method: "POST",
      headers: { origin: app.origin },
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin).toBe(provider.issuer.origin);
    expect(location.pathname).toBe("/session/end");
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe(`${app.origin}/`);
    expect(location.searchParams.get("client_id")).toBe(provider.clientId);
    expect(location.searchParams.get("id_token_hint")).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(response.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^updraft_session=; Max-Age=0; Path=\/; HttpOnly/),
    ]);
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();
    expect(await (await fetchWithJar(jar, `${app.origin}/whoami`)).json()).toEqual({ user: null });
    // The provider accepts the end_session request (it answers its sign-out confirmation, not an error).
    const end = await fetchWithJar(jar, location);
    expect(end.status, await end.clone().text()).toBe(200);
    expect(await end.text()).toContain("logout");
    expect(audit.entries.map(({ action, status, actor, via }) => ({ action, status, actor, via }))).toEqual([
      { action: "login", status: 303, actor: "alice@example.com", via: "session" },
      { action: "logout", status: 303, actor: "alice@example.com", via: "session" },
    ]);
  });

  it("is refused from a foreign page (POST with another Origin, no CSRF token): the session stays", async () => {
    const { app, jar, audit } = await signedIn();
    const response = await fetchWithJar(jar, `${app.origin}/auth/logout`, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=guess",
    });
    expect(response.status).toBe(403);
    expect((await response.json()) as unknown).toEqual({
      error: {
        code: "forbidden",
        message: expect.stringContaining("sign-out is accepted only from updraft's own pages"),
      },
    });
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await (await fetchWithJar(jar, `${app.origin}/whoami`)).json()).toMatchObject({
      user: { sub: "alice" },
    });
    expect(audit.entries.at(-1)).toMatchObject({ action: "logout", status: 403, actor: "alice@example.com" });
  });

  it("by a link: signs out when the browser says the click came from updraft, else asks first (a form with the CSRF token)", async () => {
    const { app, jar } = await signedIn();
    const foreign = await fetchWithJar(jar, `${app.origin}/auth/logout`, {
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.getSetCookie()).toEqual([]);
    const page = await foreign.text();
    const form = formOf(page, new URL(`${app.origin}/auth/logout`));
    expect(form?.action.href).toBe(`${app.origin}/auth/logout`);
    // The confirmation form may be redirected on to the provider (Chromium applies form-action to redirects).
    expect(foreign.headers.get("content-security-policy")).toMatch(
      /form-action 'self' http:\/\/127\.0\.0\.1:\d+/,
    );
    // Posting the form (no Origin: some browsers omit it) signs out by its CSRF token.
    const posted = await fetchWithJar(jar, `${app.origin}/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form?.fields.toString() ?? "",
    });
    expect(posted.status).toBe(303);
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();

    const again = await signInThroughProvider(app.origin, "alice", { jar });
    expect(again.callback.status).toBe(303);
    const own = await fetchWithJar(jar, `${app.origin}/auth/logout`, {
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(own.status).toBe(303);
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();
  });

  it("without a session is a plain redirect home, recorded nowhere", async () => {
    const { app, audit } = await signedIn();
    const response = await fetch(`${app.origin}/auth/logout`, { method: "POST", redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    expect(audit.entries.filter((entry) => entry.action === "logout")).toEqual([]);
  });
});

describe("a provider that is down when the daemon starts", () => {
  const cleanup = useCleanup();

  it("answers /auth/login with 503 naming the issuer (JSON and HTML), then signs in once the provider is up", async () => {
    const port = await freePort();
    const app = await listenLoginApp(cleanup);
    const issuer = new URL(`http://127.0.0.1:${port}`);
    const settings = loginSettings(
      { issuer, clientId: "updraft", clientSecret: "test-client-secret-0123456789abcdef" },
      app.origin,
    );
    const login = createOidcLogin(settings);
    // Starting does not wait for, nor fail on, the provider.
    await login.warmUp();
    app.serve(login);

    const json = await fetch(`${app.origin}/auth/login?next=/`, { redirect: "manual" });
    expect(json.status).toBe(503);
    expect(json.headers.get("retry-after")).toBe("10");
    expect(await json.json()).toEqual({
      error: {
        code: "login_unavailable",
        message: expect.stringContaining(
          `sign-in is unavailable: the identity provider ${issuer.href} (--oidc-issuer) cannot be reached`,
        ),
      },
    });
    const page = await fetch(`${app.origin}/auth/login?next=/`, {
      headers: { accept: "text/html" },
      redirect: "manual",
    });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain(`The identity provider ${issuer.href} cannot be reached`);

    await startOidcProvider(cleanup, { appOrigin: app.origin, port });
    const login303 = await waitFor("sign-in to work once the provider is up", async () => {
      const response = await fetch(`${app.origin}/auth/login?next=/`, { redirect: "manual" });
      return response.status === 303 ? response : undefined;
    });
    expect(new URL(login303.headers.get("location") ?? "").origin).toBe(issuer.origin);
    const { jar, callback } = await signInThroughProvider(app.origin, "olga");
    expect(callback.status).toBe(303);
    expect(await (await fetchWithJar(jar, `${app.origin}/whoami`)).json()).toMatchObject({
      user: { email: "olga@example.com", groups: ["team-a"] },
    });
  });
});
