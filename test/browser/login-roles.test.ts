// Issue 13 (testing): sign-in and roles in Chromium, against a real daemon with `--auth oidc` and a
// real OpenID provider: an operator of team-a/** triggers a team-a DAG by a click, a viewer gets no
// write buttons and a 403 naming the role, the admin reads the audit log, someone no role matches
// gets the page saying so, another site cannot pause a DAG with the session, and sign-out.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoginDaemon, startLoginDaemon } from "../server/support/login-daemon.ts";
import { Cleanup } from "../support/cleanup.ts";
import { closeServer } from "../support/oidc-provider.ts";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";
import { signInAtProvider } from "./support/provider-sign-in.ts";

const WRITE_BUTTONS = ["Trigger", "Pause", "Unpause", "Clear", "Sync now"];

describe.skipIf(!chromiumTestsRun("the login and roles browser test"))("login and roles in Chromium", () => {
  const cleanup = new Cleanup();
  let browser: Browser;
  let login: LoginDaemon;
  const pages = new Map<string, Page>();
  /** olga's trigger by a click on the DAG page: the run it made and the request's id. */
  let olgaTrigger: { runId: string; requestId: string } | undefined;

  beforeAll(async () => {
    login = await startLoginDaemon(cleanup);
    browser = await launchChromium();
    cleanup.defer(() => browser.close());
  });
  afterAll(() => cleanup.run());

  /**
   * Opens `path` in a fresh browser context: the daemon sends it to the provider, `user` signs in
   * there and is sent back to `path`, whose answer is returned.
   */
  async function signIn(user: string, path: string): Promise<{ page: Page; landing: Response }> {
    const context = await browser.newContext();
    cleanup.defer(() => context.close());
    const page = await context.newPage();
    const target = `${login.url}${path}`;
    const landing = page.waitForResponse(
      (response) => response.url() === target && response.status() !== 303,
    );
    await page.goto(target);
    await signInAtProvider(page, login.provider.issuer, user);
    await page.waitForURL(target);
    pages.set(user, page);
    return { page, landing: await landing };
  }

  const pageOf = (user: string): Page => {
    const page = pages.get(user);
    if (!page) throw new Error(`${user} has not signed in (an earlier test failed)`);
    return page;
  };
  const who = (page: Page) => page.locator("header .who").textContent();
  const writeButtons = (page: Page) =>
    Promise.all(WRITE_BUTTONS.map((name) => page.getByRole("button", { name, exact: true }).count()));
  const noWriteButtons = WRITE_BUTTONS.map(() => 0);
  const api = async (page: Page, path: string) => {
    const response = await page.request.get(`${login.url}${path}`);
    expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
    return response.json();
  };

  it("an operator of team-a/** signs in from a team-a DAG's page and triggers it as herself by a click; a team-b DAG has no buttons for her", async () => {
    const { page, landing } = await signIn("olga", "/dags/a_dag");
    expect(landing.status()).toBe(200);
    expect(await who(page)).toBe("olga@example.com · operator");
    expect(await page.locator('a[href="/audit"]').count()).toBe(0);
    const trigger = page.getByRole("button", { name: "Trigger", exact: true });
    // The page's script enables its buttons once it runs.
    await expect.poll(() => trigger.isEnabled()).toBe(true);
    await page.locator("textarea#conf").fill('{"day": "2026-12-05"}');
    const posted = page.waitForResponse(
      (response) =>
        response.url() === `${login.url}/api/dags/a_dag/runs` && response.request().method() === "POST",
    );
    await trigger.click();
    const response = await posted;
    expect(response.status()).toBe(201);
    await page.waitForURL(new RegExp(`^${login.url}/runs/a_dag__manual__`));
    const runId = decodeURIComponent(new URL(page.url()).pathname.slice("/runs/".length));
    expect(await api(page, `/api/runs/${encodeURIComponent(runId)}`)).toMatchObject({
      id: runId,
      triggeredBy: "olga@example.com",
      conf: { day: "2026-12-05" },
    });
    olgaTrigger = { runId, requestId: (await response.allHeaders())["x-request-id"] ?? "" };
    expect(olgaTrigger.requestId).not.toBe("");

    await page.goto(`${login.url}/dags/b_dag`);
    expect(await page.locator("h1").textContent()).toContain("b_dag");
    expect(await writeButtons(page)).toEqual(noWriteButtons);
    expect(await page.locator("main").textContent()).toContain(
      "Triggering and pausing this DAG need the operator role on it.",
    );
  });

  it("a viewer sees no trigger, pause, clear or sync button, and a crafted write from the page gets 403 naming the operator role", async () => {
    const { page } = await signIn("victor", "/");
    expect(await who(page)).toBe("victor@example.com · viewer");
    expect(await page.locator("table.dags").textContent()).toContain("a_dag");
    expect(await writeButtons(page)).toEqual(noWriteButtons);
    expect(await page.locator('a[href="/audit"]').count()).toBe(0);

    await page.locator("table.dags a", { hasText: "a_dag" }).click();
    await page.waitForURL(`${login.url}/dags/a_dag`);
    expect(await page.locator("h1").textContent()).toContain("a_dag");
    expect(await writeButtons(page)).toEqual(noWriteButtons);

    // olga's run, once ended, has a Clear button for her and none for the viewer.
    if (!olgaTrigger) throw new Error("olga's trigger did not happen (an earlier test failed)");
    const runPath = `/runs/${encodeURIComponent(olgaTrigger.runId)}`;
    await expect
      .poll(async () => (await api(page, `/api${runPath}`)).state, { timeout: 30_000 })
      .toMatch(/^(success|failed)$/);
    const olga = pageOf("olga");
    await olga.goto(`${login.url}${runPath}`);
    expect(await olga.getByRole("button", { name: "Clear", exact: true }).count()).toBe(1);
    await page.goto(`${login.url}${runPath}`);
    expect(await page.locator("table.tasks").textContent()).toContain("t");
    expect(await writeButtons(page)).toEqual(noWriteButtons);

    const csrf = await page.locator('meta[name="csrf-token"]').getAttribute("content");
    const refused = await page.evaluate(async (token) => {
      const response = await fetch("/api/dags/a_dag/runs", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": token ?? "" },
        body: "{}",
      });
      return { status: response.status, body: (await response.json()) as unknown };
    }, csrf);
    expect(refused).toEqual({
      status: 403,
      body: {
        error: {
          code: "forbidden",
          message:
            'trigger needs the operator role on DAG "a_dag" (file team-a/a.ts); victor@example.com has the viewer role there',
        },
      },
    });
    expect((await api(page, "/api/dags/a_dag")).paused).toBe(false);
  });

  it("an admin has the Audit log link, and the audit page lists olga's trigger by her email", async () => {
    const { page } = await signIn("alice", "/");
    expect(await who(page)).toBe("alice@example.com · admin");
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(`${login.url}/audit`);
    if (!olgaTrigger) throw new Error("olga's trigger did not happen (an earlier test failed)");
    const row = page.locator("table.audit tbody tr", { hasText: olgaTrigger.requestId });
    expect(await row.count()).toBe(1);
    const cells = await row.locator("td").allTextContents();
    expect(cells.slice(1, 7).map((cell) => cell.trim())).toEqual([
      "olga@example.com",
      "operator",
      "session",
      "trigger",
      "dag/a_dag",
      "201",
    ]);
  });

  it("someone no role matches sees, after sign-in, the 403 page saying so and naming them", async () => {
    const { page, landing } = await signIn("eve", "/");
    expect(landing.status()).toBe(403);
    expect(await page.locator("h1").textContent()).toBe("No role");
    expect(await page.locator("main").textContent()).toContain(
      "You are signed in as eve, but no role in this updraft's roles file",
    );
    expect(await writeButtons(page)).toEqual(noWriteButtons);
  });

  it("a page of another origin cannot pause a DAG with olga's session: the daemon refuses its Origin", async () => {
    const page = pageOf("olga");
    // Another port of 127.0.0.1 is the same site: the browser sends the SameSite=Lax session cookie,
    // and a foreign Origin, which is what the daemon must refuse.
    const target = `${login.url}/api/dags/a_dag/pause`;
    const foreign = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><title>elsewhere</title><p id="result">…</p><script>
fetch(${JSON.stringify(target)}, { method: "POST", credentials: "include" }).then(
  (response) => { document.getElementById("result").textContent = "answered " + response.status; },
  (error) => { document.getElementById("result").textContent = "blocked: " + error.name; });
</script>`);
    }).listen(0, "127.0.0.1");
    await once(foreign, "listening");
    cleanup.defer(() => closeServer(foreign));
    const foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;

    const failed = page.waitForEvent("requestfailed", (request) => request.url() === target);
    await page.goto(`${foreignOrigin}/`);
    // The answer has no CORS headers: the browser keeps it from the page (and from the test).
    expect((await failed).failure()?.errorText).toBe("net::ERR_FAILED");
    await expect.poll(() => page.locator("#result").textContent()).toBe("blocked: TypeError");
    expect((await api(page, "/api/dags/a_dag")).paused).toBe(false);
    // The audit log says what the daemon answered: it knew olga (the cookie came) and refused (403).
    const audit = (await api(
      pageOf("alice"),
      "/api/audit?actor=olga%40example.com&action=pause",
    )) as unknown[];
    expect(audit).toEqual([
      expect.objectContaining({ actor: "olga@example.com", status: 403, target: "dag/a_dag" }),
    ]);
  });

  it("Sign out ends the session here and at the provider: the DAG page then sends the browser to the provider's login", async () => {
    const page = pageOf("olga");
    await page.goto(`${login.url}/dags/a_dag`);
    await page.getByRole("link", { name: "Sign out" }).click();
    await page.waitForURL(
      (url) => url.origin === login.provider.issuer.origin && url.pathname.startsWith("/session/end"),
    );
    expect((await page.context().cookies(login.url)).map((cookie) => cookie.name)).not.toContain(
      "updraft_session",
    );
    // The provider asks before ending its own session, then sends the browser back to updraft.
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.locator("input[name=login]").waitFor();
    expect(new URL(page.url()).origin).toBe(login.provider.issuer.origin);

    await page.goto(`${login.url}/dags/a_dag`);
    await page.waitForURL((url) => url.origin === login.provider.issuer.origin);
    await page.locator("input[name=login]").waitFor();
    expect((await page.request.get(`${login.url}/api/me`)).status()).toBe(401);
    const audit = (await api(
      pageOf("alice"),
      "/api/audit?actor=olga%40example.com&action=logout",
    )) as unknown[];
    expect(audit).toEqual([expect.objectContaining({ via: "session", status: 303 })]);
  });
});
