// Issue 13 points 6 and 8: the page's script under a session, in Chromium: every write carries the
// CSRF token, a 401 sends the browser to sign in (no token dialog), a 403 shows the server's
// message. (Signing out through the real provider: test/browser/login-roles.test.ts.)
import { Hono } from "hono";
import type { Browser, Page } from "playwright-core";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpListener } from "../../src/daemon/http-listener.ts";
import type { PageAccess } from "../../src/server/auth/page-access.ts";
import { html } from "../../src/server/page/html.ts";
import { actionForm, layout, PAGE_HEADERS } from "../../src/server/page/layout.ts";
import { Cleanup } from "../support/cleanup.ts";

const CSRF = "csrf-token-of-the-session";
const FORBIDDEN = "pausing needs the operator role on DAG etl; vera@example.com is a viewer";

const ACCESS: PageAccess = {
  viewer: { actor: "vera@example.com", role: "operator", via: "session" },
  unauthenticated: false,
  login: true,
  canOperate: () => true,
  canSync: true,
  canAudit: false,
  csrfToken: CSRF,
};

interface Seen {
  method: string;
  path: string;
  csrf: string | undefined;
  origin: string | undefined;
  body: string;
}

/** A page with three write buttons, and endpoints answering 202, 403 and 401 that record what they got. */
function sessionApp(seen: Seen[]): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    if (c.req.method === "POST")
      seen.push({
        method: c.req.method,
        path: c.req.path,
        csrf: c.req.header("x-csrf-token"),
        origin: c.req.header("origin"),
        body: await c.req.raw.clone().text(),
      });
    await next();
  });
  app.get("/dags/etl", (c) =>
    c.html(
      layout(
        { title: "DAG etl", now: new Date(), version: "0.0.0-test", access: ACCESS },
        html`${actionForm({ url: "/api/sync", label: "Sync now", done: "Sync requested." })}
        ${actionForm({ url: "/api/dags/etl/pause", label: "Pause", done: "Paused." })}
        ${actionForm({ url: "/api/dags/etl/runs", label: "Trigger", done: "Triggered.", then: "run" })}`,
      ),
      200,
      PAGE_HEADERS,
    ),
  );
  app.post("/api/sync", (c) => c.json({ ok: true }, 202));
  app.post("/api/dags/etl/pause", (c) => c.json({ error: { code: "forbidden", message: FORBIDDEN } }, 403));
  app.post("/api/dags/etl/runs", (c) =>
    c.json({ error: { code: "unauthenticated", message: "the session has expired" } }, 401),
  );
  app.get("/auth/login", (c) => c.text(`login page, next=${c.req.query("next")}`));
  // The plain-text stand-ins have no icon link: the browser asks for one.
  app.get("/favicon.ico", (c) => c.body(null, 204));
  return app;
}

describe.skipIf(!chromiumTestsRun("the page's session browser test"))(
  "the page's script under a session, in Chromium",
  () => {
    const cleanup = new Cleanup();
    const seen: Seen[] = [];
    let browser: Browser;
    let page: Page;
    let base: string;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      const listener = new HttpListener();
      await listener.listen(sessionApp(seen), "127.0.0.1", 0);
      cleanup.defer(() => listener.close());
      base = listener.url();
      browser = await launchChromium();
      cleanup.defer(() => browser.close());
      page = await browser.newPage();
      page.on("pageerror", (error) => pageErrors.push(error.message));
      page.on("console", (message) => {
        // The refused writes log their status; anything else (a CSP refusal, say) is a failure.
        if (message.type() === "error" && !/\b40[13]\b/.test(message.text())) pageErrors.push(message.text());
      });
    });
    afterAll(() => cleanup.run());

    const writes = (path: string) => seen.filter((request) => request.path === path);

    it("sends the CSRF token with a write and says it worked", async () => {
      await page.goto(`${base}/dags/etl`);
      await page.getByRole("button", { name: "Sync now" }).click();
      await expect.poll(() => page.locator("#message").textContent()).toBe("Sync requested.");
      expect(writes("/api/sync")).toEqual([
        expect.objectContaining({ method: "POST", csrf: CSRF, origin: base }),
      ]);
    });

    it("shows the server's message on a 403, and asks for no token", async () => {
      await page.goto(`${base}/dags/etl`);
      await page.getByRole("button", { name: "Pause" }).click();
      await expect.poll(() => page.locator("#message").textContent()).toBe(`403: ${FORBIDDEN}`);
      expect(await page.locator("dialog#token-dialog").isVisible()).toBe(false);
      expect(writes("/api/dags/etl/pause")).toEqual([expect.objectContaining({ csrf: CSRF })]);
    });

    it("sends the browser to sign in on a 401, coming back to the page", async () => {
      await page.goto(`${base}/dags/etl?tab=runs`);
      await page.getByRole("button", { name: "Trigger" }).click();
      await page.waitForURL(`${base}/auth/login?next=${encodeURIComponent("/dags/etl?tab=runs")}`);
      expect(await page.textContent("body")).toBe("login page, next=/dags/etl?tab=runs");
      expect(writes("/api/dags/etl/runs")).toHaveLength(1);
    });
  },
);
