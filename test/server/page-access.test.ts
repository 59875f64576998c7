// Issue 13 point 8: the page follows the viewer's role (who is signed in, which buttons show).
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/audit-entry.ts";
import type { AppEnv } from "../../src/server/auth/app-env.ts";
import { OPEN_PAGE_ACCESS, type PageAccess } from "../../src/server/auth/page-access.ts";
import { dagPage } from "../../src/server/page/dag-page.ts";
import { noRolePage } from "../../src/server/page/no-role-page.ts";
import { pageRoutes } from "../../src/server/page/page-routes.ts";
import { runPage } from "../../src/server/page/run-page.ts";
import { statusPage } from "../../src/server/page/status-page.ts";
import { dagViewContext } from "../../src/server/views/dag-view.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { type PageFixture, pageFixture } from "./page-fixture.ts";

const cleanup = useCleanup("file");
let fixture: PageFixture;
beforeAll(async () => {
  fixture = await pageFixture(cleanup);
});

const NOW = new Date();
const BANNER =
  "This server has no authentication: anyone who can reach it can read everything, and (on loopback) run and pause DAGs.";

/** A signed-in person (a session) with a role, allowed to operate the DAGs `operates` accepts. */
function sessionAccess(
  actor: string,
  role: "viewer" | "operator" | "admin",
  operates: (dagId: string) => boolean,
): PageAccess {
  return {
    viewer: { actor, role, via: "session" },
    unauthenticated: false,
    login: true,
    canOperate: operates,
    canSync: role !== "viewer",
    canAudit: role === "admin",
    csrfToken: `csrf-of-${role}`,
  };
}

const VIEWER = sessionAccess("vera@example.com", "viewer", () => false);
const TEAM_A_OPERATOR = sessionAccess("alice@example.com", "operator", (id) => id === "etl");
const ADMIN = sessionAccess("root@example.com", "admin", () => true);
/** A machine token on a daemon with a tokens file and no login. */
const TOKEN_VIEWER: PageAccess = {
  viewer: { actor: "ci-bot", role: "viewer", via: "token" },
  unauthenticated: false,
  login: false,
  canOperate: () => false,
  canSync: false,
  canAudit: false,
};

const status = (access: PageAccess) => statusPage(fixture.deps, NOW, access).toString();
const dagPageOf = (dagId: string, access: PageAccess, history?: readonly AuditEntry[]) => {
  const dag = fixture.deps.registry.get(dagId);
  if (!dag) throw new Error(`no DAG ${dagId} in the fixture`);
  const context = { ...dagViewContext(fixture.deps), now: NOW };
  return dagPage(dag, context, { now: NOW, version: "0.0.0-test", access }, history).toString();
};
const runPageOf = (runId: string, access: PageAccess) => {
  const run = fixture.store.getRun(runId);
  if (!run) throw new Error(`no run ${runId} in the fixture`);
  return runPage(run, { now: NOW, version: "0.0.0-test", access }).toString();
};
/** The write controls a page renders (the script enables them). */
const writeUrls = (html: string) => [...html.matchAll(/data-url="([^"]+)"/g)].map((m) => m[1]);
const header = (html: string) => /<header class="top">[^]*?<\/header>/.exec(html)?.[0] ?? "";

describe("the header", () => {
  it("says plainly that a server without authentication is open, and only then", () => {
    expect(status(OPEN_PAGE_ACCESS)).toContain(BANNER);
    expect(dagPageOf("etl", OPEN_PAGE_ACCESS)).toContain(BANNER);
    for (const access of [VIEWER, TEAM_A_OPERATOR, ADMIN, TOKEN_VIEWER])
      expect(status(access)).not.toContain("no authentication");
  });

  it("shows who is signed in with their role, and a Sign out link to /auth/logout for a session", () => {
    const top = header(status(TEAM_A_OPERATOR));
    expect(top).toContain("alice@example.com · operator");
    // A link, not a form: the page's form-action 'self' would block the redirect on to the provider.
    expect(top).toMatch(/<a class="sign-out" href="\/auth\/logout">Sign out<\/a>/);
  });

  it("names a token's viewer without a Sign out button, and nobody when nobody is known", () => {
    const top = header(status(TOKEN_VIEWER));
    expect(top).toContain("ci-bot · viewer");
    expect(top).not.toContain("Sign out");
    expect(header(status(OPEN_PAGE_ACCESS))).not.toContain("Sign out");
    expect(header(status(OPEN_PAGE_ACCESS))).not.toContain(" · ");
  });

  it("says when a signed-in person has no role", () => {
    const top = header(
      status({ ...VIEWER, viewer: { actor: "nobody@example.com", role: null, via: "session" } }),
    );
    expect(top).toContain("nobody@example.com · no role");
  });

  it("links the audit log for admins only", () => {
    expect(header(status(ADMIN))).toContain('<a href="/audit">Audit log</a>');
    for (const access of [VIEWER, TEAM_A_OPERATOR, TOKEN_VIEWER])
      expect(status(access)).not.toContain("/audit");
  });

  it("puts a session's CSRF token in a meta tag (escaped), and none without a session", () => {
    expect(status(ADMIN)).toMatch(/<meta name="csrf-token" content="csrf-of-admin"\s*\/?>/);
    const odd = status({ ...ADMIN, csrfToken: 'a"b<c' });
    expect(odd).toMatch(/<meta name="csrf-token" content="a&quot;b&lt;c"\s*\/?>/);
    expect(status(OPEN_PAGE_ACCESS)).not.toContain('<meta name="csrf-token"');
    expect(status(TOKEN_VIEWER)).not.toContain('<meta name="csrf-token"');
  });
});

describe("write buttons follow the role", () => {
  it("a viewer sees no trigger, pause, clear or sync button anywhere", () => {
    expect(writeUrls(status(VIEWER))).toEqual([]);
    expect(writeUrls(dagPageOf("etl", VIEWER))).toEqual([]);
    expect(writeUrls(dagPageOf("hourly", VIEWER))).toEqual([]);
    expect(writeUrls(runPageOf(fixture.runs.failed.id, VIEWER))).toEqual([]);
    expect(writeUrls(runPageOf(fixture.runs.running.id, VIEWER))).toEqual([]);
    expect(dagPageOf("etl", VIEWER)).not.toContain('<textarea id="conf"');
  });

  it("an operator of one DAG can trigger, pause, backfill and clear it, and only read another", () => {
    const etl = dagPageOf("etl", TEAM_A_OPERATOR);
    expect(writeUrls(etl)).toEqual(["/api/dags/etl/pause", "/api/dags/etl/runs", "/api/dags/etl/backfills"]);
    expect(writeUrls(dagPageOf("hourly", TEAM_A_OPERATOR))).toEqual([]);
    expect(writeUrls(runPageOf(fixture.runs.failed.id, TEAM_A_OPERATOR))).toContain(
      `/api/runs/${fixture.runs.failed.id}/tasks/transform/clear`,
    );
    expect(writeUrls(runPageOf(fixture.runs.failed.id, TEAM_A_OPERATOR))).toContain(
      `/api/runs/${fixture.runs.failed.id}/retry-failed`,
    );
    expect(writeUrls(runPageOf(fixture.everyTaskState.id, TEAM_A_OPERATOR))).toEqual([]);
    // A running run of its DAG: stop, mark, and a mark menu per task.
    const running = fixture.runs.running.id;
    const runningUrls = writeUrls(runPageOf(running, TEAM_A_OPERATOR));
    expect(runningUrls).toContain(`/api/runs/${running}/stop`);
    expect(runningUrls).toContain(`/api/runs/${running}/mark`);
    expect(runningUrls).toContain(`/api/runs/${running}/tasks/transform/mark`);
    expect(writeUrls(status(TEAM_A_OPERATOR))).toEqual(["/api/sync"]);
  });

  it("an admin and an open server see every button", () => {
    for (const access of [ADMIN, OPEN_PAGE_ACCESS]) {
      expect(writeUrls(status(access))).toEqual(["/api/sync"]);
      expect(writeUrls(dagPageOf("hourly", access))).toEqual([
        "/api/dags/hourly/unpause",
        "/api/dags/hourly/runs",
        "/api/dags/hourly/backfills",
      ]);
      expect(writeUrls(runPageOf(fixture.everyTaskState.id, access)).length).toBeGreaterThan(0);
    }
  });
});

describe("the routes pass each request's access to the page", () => {
  /** The page routes behind a stand-in for the lead's middleware: the access named by a header. */
  function appWithAccess(): Hono<AppEnv> {
    const byName = new Map<string, PageAccess>([
      ["viewer", VIEWER],
      ["admin", ADMIN],
    ]);
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      const access = byName.get(c.req.header("x-test-access") ?? "");
      if (access) c.set("access", access);
      await next();
    });
    app.route("/", pageRoutes(fixture.deps));
    return app;
  }
  const get = async (app: Hono<AppEnv>, path: string, as: string) => {
    const response = await app.request(path, { headers: { "x-test-access": as } });
    expect(response.status).toBe(200);
    return response.text();
  };

  it("never serves one viewer's cached status page to another", async () => {
    const app = appWithAccess();
    const admin = await get(app, "/", "admin");
    const viewer = await get(app, "/", "viewer");
    expect(writeUrls(admin)).toEqual(["/api/sync"]);
    expect(writeUrls(viewer)).toEqual([]);
    expect(viewer).toContain("vera@example.com · viewer");
    expect(viewer).not.toContain("csrf-of-admin");
    expect(await get(app, "/", "admin")).toContain("root@example.com · admin");
  });

  it("hides the DAG and run pages' buttons from a viewer", async () => {
    const app = appWithAccess();
    expect(writeUrls(await get(app, "/dags/etl", "viewer"))).toEqual([]);
    expect(writeUrls(await get(app, `/runs/${fixture.runs.failed.id}`, "viewer"))).toEqual([]);
    expect(writeUrls(await get(app, "/dags/etl", "admin")).length).toBe(3);
    const log = await get(app, `/runs/${fixture.runs.failed.id}/tasks/transform/logs?try=1`, "viewer");
    expect(header(log)).toContain("vera@example.com · viewer");
    const missing = await app.request("/dags/nope", { headers: { "x-test-access": "viewer" } });
    expect(missing.status).toBe(404);
    expect(header(await missing.text())).toContain("vera@example.com · viewer");
  });
});

describe("the DAG page's pause history", () => {
  const entry = (at: string, actor: string, action: string, status = 200): AuditEntry => ({
    at,
    actor,
    role: "operator",
    via: "session",
    action,
    target: "dag/etl",
    status,
    requestId: `req-${at}`,
  });

  it("lists who paused and unpaused, newest first as given, with actors as text", () => {
    const html = dagPageOf("etl", VIEWER, [
      entry("2026-05-01T10:05:00.000Z", "<b>mallory</b>@example.com", "unpause"),
      entry("2026-05-01T10:00:00.000Z", "alice@example.com", "pause"),
      entry("2026-05-01T09:00:00.000Z", "vera@example.com", "pause", 403),
    ]);
    const section = /<h2>Pause history<\/h2>[^]*?<\/table>/.exec(html)?.[0] ?? "";
    const rows = [...section.matchAll(/<tr>([^]*?)<\/tr>/g)].map((m) =>
      (m[1] ?? "")
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
    expect(rows).toEqual([
      "When Who Action",
      "2026-05-01 10:05:00 UTC &lt;b&gt;mallory&lt;/b&gt;@example.com unpause",
      "2026-05-01 10:00:00 UTC alice@example.com pause",
      "2026-05-01 09:00:00 UTC vera@example.com pause refused (403)",
    ]);
  });

  it("shows nothing when the route passes no history", () => {
    expect(dagPageOf("etl", VIEWER)).not.toContain("Pause history");
  });
});

describe("the no-role page", () => {
  it("says who is signed in and what to do, with the actor as text and a Sign out button", () => {
    const html = noRolePage({
      actor: "<script>alert('x')</script>@example.com",
      now: NOW,
      version: "0.0.0-test",
    }).toString();
    expect(html.replace(/\s+/g, " ")).toContain(
      "You are signed in as <strong>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;@example.com</strong>, but no role in this updraft's roles file (<code>--roles</code>) matches you. Ask an admin to add your email or group.",
    );
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toMatch(/<a class="sign-out" href="\/auth\/logout">Sign out<\/a>/);
    expect(html).not.toContain("no authentication");
  });
});
