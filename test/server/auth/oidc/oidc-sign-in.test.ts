import { describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "../../../../src/server/auth/oidc/session-cookie.ts";
import { CookieJar, fetchWithJar } from "../../../support/cookie-jar.ts";
import { startOidcProvider } from "../../../support/oidc-provider.ts";
import { signInThroughProvider } from "../../../support/oidc-sign-in.ts";
import { useCleanup } from "../../../support/use-cleanup.ts";
import { listenLoginApp, loginSettings } from "./support/login-app.ts";
import { createOidcLogin } from "../../../../src/server/auth/oidc/oidc-login.ts";

/** A test app signing in at a real provider (`oidc-provider`), both on 127.0.0.1. */
async function appWithProvider(
  cleanup: ReturnType<typeof useCleanup>,
  options: { claimsInIdToken?: boolean } = {},
) {
  const app = await listenLoginApp(cleanup);
  const provider = await startOidcProvider(cleanup, { appOrigin: app.origin, ...options });
  const settings = loginSettings(provider, app.origin);
  app.serve(createOidcLogin(settings));
  return { app, provider, audit: settings.audit };
}

async function whoami(origin: string, jar: CookieJar): Promise<unknown> {
  const response = await fetchWithJar(jar, `${origin}/whoami`);
  return ((await response.json()) as { user: unknown }).user;
}

describe("sign-in through a real OpenID provider", () => {
  const cleanup = useCleanup();

  it("signs alice in: 303 back to next, an HttpOnly SameSite=Lax session cookie, her verified email and kept groups, one audit entry", async () => {
    const { app, audit } = await appWithProvider(cleanup);
    const { jar, callback, callbackBody } = await signInThroughProvider(app.origin, "alice", {
      next: "/dags/x?tab=runs",
    });
    expect(callback.status, callbackBody).toBe(303);
    expect(callback.headers.get("location")).toBe("/dags/x?tab=runs");
    const cookie = jar.get(SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    expect(cookie?.expiresAt).toBeGreaterThan(Date.now() + 7.9 * 3600_000);
    // The login transaction's cookie is gone once used.
    expect(jar.get("updraft_login")).toBeUndefined();
    expect(await whoami(app.origin, jar)).toMatchObject({
      sub: "alice",
      email: "alice@example.com",
      name: "Alice Admin",
      // "staff" is not in keepGroups.
      groups: ["admins"],
    });
    expect(audit.entries).toEqual([
      expect.objectContaining({
        actor: "alice@example.com",
        action: "login",
        target: "session",
        via: "session",
        status: 303,
        role: null,
      }),
    ]);
    expect(audit.entries[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("takes email and groups from the ID token when the provider puts them there (as Dex does); victor has no groups", async () => {
    const { app } = await appWithProvider(cleanup, { claimsInIdToken: true });
    const olga = await signInThroughProvider(app.origin, "olga");
    expect(olga.callback.status, olga.callbackBody).toBe(303);
    expect(await whoami(app.origin, olga.jar)).toMatchObject({
      email: "olga@example.com",
      groups: ["team-a"],
    });
    const victor = await signInThroughProvider(app.origin, "victor");
    expect(await whoami(app.origin, victor.jar)).toMatchObject({ email: "victor@example.com", groups: [] });
  });

  it("gives no email when the provider says email_verified is false", async () => {
    const { app, audit } = await appWithProvider(cleanup);
    const { jar, callback } = await signInThroughProvider(app.origin, "eve");
    expect(callback.status).toBe(303);
    const user = (await whoami(app.origin, jar)) as Record<string, unknown>;
    expect(user).toMatchObject({ sub: "eve", groups: ["admins"] });
    expect(user).not.toHaveProperty("email");
    expect(audit.entries.at(-1)).toMatchObject({ actor: "eve", action: "login", status: 303 });
  });

  it("refuses the same callback URL and login cookie a second time, and a callback without the cookie", async () => {
    const { app, audit } = await appWithProvider(cleanup);
    const first = await signInThroughProvider(app.origin, "alice");
    expect(first.callback.status).toBe(303);
    // Replay exactly what the browser sent: the callback URL with the login cookie it carried.
    expect(first.callbackCookie).toContain("updraft_login=");
    const replayJar = new CookieJar();
    const replay = await fetch(first.callbackUrl, {
      headers: { cookie: first.callbackCookie ?? "" },
      redirect: "manual",
    });
    replayJar.store(first.callbackUrl, replay);
    const body = await replay.text();
    expect(replay.status).toBe(400);
    expect(body).toContain("this sign-in was already completed (a callback works once)");
    expect(body).not.toMatch(/at .*\.ts:\d+/);
    expect(replayJar.get(SESSION_COOKIE)).toBeUndefined();
    expect(audit.entries.at(-1)).toMatchObject({
      actor: "anonymous",
      via: null,
      action: "login",
      status: 400,
      input: { reason: expect.stringContaining("already completed") },
    });

    const bare = await fetch(first.callbackUrl, { redirect: "manual" });
    expect(bare.status).toBe(400);
    expect(await bare.text()).toContain("no sign-in is in progress in this browser");
  });

  it("starts no session when the audit log cannot be written: 503, no cookie", async () => {
    const app = await listenLoginApp(cleanup);
    const provider = await startOidcProvider(cleanup, { appOrigin: app.origin });
    const audit = { append: () => Promise.reject(new Error("ENOSPC: no space left on device")) };
    app.serve(createOidcLogin(loginSettings(provider, app.origin, { audit })));
    const { jar, callback, callbackBody } = await signInThroughProvider(app.origin, "alice");
    expect(callback.status).toBe(503);
    expect(callbackBody).toContain("the audit log cannot be written");
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();
  });

  it("returns only to a local path", async () => {
    const { app } = await appWithProvider(cleanup);
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const { callback } = await signInThroughProvider(app.origin, "victor", { next });
      expect(callback.headers.get("location")).toBe("/");
    }
  });
});
