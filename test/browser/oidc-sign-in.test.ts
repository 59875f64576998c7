import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOidcLogin } from "../../src/server/auth/oidc/oidc-login.ts";
import { Cleanup } from "../support/cleanup.ts";
import { closeServer, startOidcProvider } from "../support/oidc-provider.ts";
import { listenLoginApp, loginSettings } from "../server/auth/oidc/support/login-app.ts";

describe.skipIf(!chromiumTestsRun("the sign-in browser test"))("sign-in in Chromium", () => {
  const cleanup = new Cleanup();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    cleanup.defer(() => browser.close());
  });
  afterAll(() => cleanup.run());

  it("goes to the provider, through its login and consent, back with a session; signs out by a same-origin link at once, by a foreign link after a confirmation", async () => {
    const app = await listenLoginApp(cleanup);
    const provider = await startOidcProvider(cleanup, { appOrigin: app.origin });
    const settings = loginSettings(provider, app.origin);
    app.serve(createOidcLogin(settings));
    const signIn = async () => {
      const page = await (await browser.newContext()).newPage();
      cleanup.defer(() => page.context().close());
      await page.goto(`${app.origin}/auth/login?next=/whoami`);
      expect(new URL(page.url()).origin).toBe(provider.issuer.origin);
      await page.locator("input[name=login]").fill("alice");
      await page.locator("input[name=password]").fill("any password");
      await page.getByRole("button", { name: "Sign-in" }).click();
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${app.origin}/whoami`);
      return page;
    };
    const page = await signIn();
    expect(JSON.parse((await page.locator("body").textContent()) ?? "")).toMatchObject({
      user: { sub: "alice", email: "alice@example.com", groups: ["admins"] },
    });
    const session = (await page.context().cookies(app.origin)).find(
      (cookie) => cookie.name === "updraft_session",
    );
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    expect(await page.evaluate("document.cookie")).toBe("");

    // A link on another site (localhost is not 127.0.0.1) cannot sign out by itself: it gets a confirmation.
    const foreign = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<a id="out" href="${app.origin}/auth/logout">sign out</a>`);
    }).listen(0, "127.0.0.1");
    await once(foreign, "listening");
    cleanup.defer(() => closeServer(foreign));
    await page.goto(`http://localhost:${(foreign.address() as AddressInfo).port}/`);
    await page.locator("#out").click();
    await page.waitForURL(`${app.origin}/auth/logout`);
    expect(await page.locator("h1").textContent()).toBe("Sign out");
    expect((await page.context().cookies(app.origin)).map((cookie) => cookie.name)).toContain(
      "updraft_session",
    );
    // Its form posts to /auth/logout, which redirects on to the provider's end_session (allowed by its CSP).
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(
      (url) => url.origin === provider.issuer.origin && url.pathname.startsWith("/session/end"),
    );
    expect((await page.context().cookies(app.origin)).map((cookie) => cookie.name)).not.toContain(
      "updraft_session",
    );

    // A same-origin link (what updraft's pages should use) signs out at once, on to the provider.
    const second = await signIn();
    await second.goto(`${app.origin}/`);
    await second.locator("#sign-out").click();
    await second.waitForURL(
      (url) => url.origin === provider.issuer.origin && url.pathname.startsWith("/session/end"),
    );
    expect((await second.context().cookies(app.origin)).map((cookie) => cookie.name)).not.toContain(
      "updraft_session",
    );
    expect(settings.audit.entries.map((entry) => `${entry.action} ${entry.status} ${entry.actor}`)).toEqual([
      "login 303 alice@example.com",
      "logout 303 alice@example.com",
      "login 303 alice@example.com",
      "logout 303 alice@example.com",
    ]);
  });
});
