// Sign-in through a real OpenID provider, end to end against a real daemon (issue #13 points 1-3,
// 5-8): roles by email, pattern and group, DAG-folder scopes, CSRF, the audit trail, tampered
// cookies, sign-out, and sessions that survive a restart.
import { beforeAll, describe, expect, it } from "vitest";
import { type CookieJar, fetchWithJar } from "../support/cookie-jar.ts";
import { signInThroughProvider } from "../support/oidc-sign-in.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { type LoginDaemon, startLoginDaemon } from "./support/login-daemon.ts";
import { TOKENS } from "./support/team-dags.ts";

const cleanup = useCleanup("file");
let login: LoginDaemon;
const jars = new Map<string, CookieJar>();

beforeAll(async () => {
  login = await startLoginDaemon(cleanup);
  for (const user of ["alice", "olga", "victor", "eve"]) {
    const signedIn = await signInThroughProvider(login.url, user);
    expect(signedIn.callback.status, signedIn.callbackBody).toBe(303);
    jars.set(user, signedIn.jar);
  }
}, 60_000);

interface Call {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, read field by field.
  body: any;
  headers: Headers;
}

async function as(
  user: string,
  method: string,
  path: string,
  options: { origin?: string | null; csrf?: string; body?: unknown; accept?: string } = {},
): Promise<Call> {
  const jar = jars.get(user);
  if (!jar) throw new Error(`${user} is not signed in`);
  const origin = options.origin === undefined ? login.url : options.origin;
  const response = await fetchWithJar(jar, new URL(path, login.url), {
    method,
    headers: {
      ...(origin === null ? {} : { origin }),
      ...(options.csrf ? { "x-csrf-token": options.csrf } : {}),
      ...(options.accept ? { accept: options.accept } : {}),
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body, headers: response.headers };
}

describe("signed in through the provider", () => {
  it("GET /api/me says who each person is and their role, from email, pattern and group", async () => {
    expect((await as("alice", "GET", "/api/me")).body).toMatchObject({
      authenticated: true,
      auth: "oidc",
      actor: "alice@example.com",
      role: "admin",
      via: "session",
      name: "Alice Admin",
    });
    const olga = (await as("olga", "GET", "/api/me")).body;
    expect(olga).toMatchObject({ actor: "olga@example.com", role: "operator", groups: ["team-a"] });
    expect(olga.grants).toEqual(
      expect.arrayContaining([
        { role: "viewer", dags: null },
        { role: "operator", dags: ["team-a/**"] },
      ]),
    );
    expect((await as("victor", "GET", "/api/me")).body).toMatchObject({
      actor: "victor@example.com",
      role: "viewer",
    });
    // Eve's email is unverified: it names her nowhere, and her group has no role.
    expect((await as("eve", "GET", "/api/me")).body).toMatchObject({ actor: "eve", role: null, grants: [] });
  });

  it("someone no role matches gets a 403 page saying so, and 403 from the API", async () => {
    const page = await as("eve", "GET", "/");
    expect(page.status).toBe(403);
    expect(page.text).toContain("You are signed in as <strong>eve</strong>, but no role");
    const api = await as("eve", "GET", "/api/dags");
    expect(api.status).toBe(403);
    expect(api.body.error.message).toContain("no role in this server's roles file (--roles) matches you");
  });

  it("without a session a page sends the browser to sign in, the API answers 401", async () => {
    const page = await fetch(`${login.url}/dags/a_dag?x=1`, { redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(`/auth/login?next=${encodeURIComponent("/dags/a_dag?x=1")}`);
    expect((await fetch(`${login.url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${login.url}/healthz`)).status).toBe(200);
  });

  it("a viewer reads everything but cannot trigger: no button, and the API says 403 naming the role", async () => {
    expect((await as("victor", "GET", "/api/dags")).status).toBe(200);
    const page = await as("victor", "GET", "/dags/a_dag");
    expect(page.status).toBe(200);
    expect(page.text).toContain("victor@example.com · viewer");
    expect(page.text).not.toContain('data-url="/api/dags/a_dag/runs"');
    const trigger = await as("victor", "POST", "/api/dags/a_dag/runs", { body: {} });
    expect(trigger.status).toBe(403);
    expect(trigger.body.error.message).toBe(
      'trigger needs the operator role on DAG "a_dag" (file team-a/a.ts); victor@example.com has the viewer role there',
    );
  });

  it("an operator of team-a/** triggers a team-a DAG, not a team-b one, and the run says by whom", async () => {
    expect((await as("olga", "GET", "/dags/a_dag")).text).toContain('data-url="/api/dags/a_dag/runs"');
    expect((await as("olga", "GET", "/dags/b_dag")).text).not.toContain('data-url="/api/dags/b_dag/runs"');
    const mine = await as("olga", "POST", "/api/dags/a_dag/runs", { body: { conf: { day: "2026-12-05" } } });
    expect(mine.status, mine.text).toBe(201);
    const run = await as("olga", "GET", `/api/runs/${mine.body.runId}`);
    expect(run.body.triggeredBy).toBe("olga@example.com");
    const theirs = await as("olga", "POST", "/api/dags/b_dag/runs", { body: {} });
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.message).toContain('on DAG "b_dag" (file team-b/nested/b.ts)');
  });

  it("CSRF: a session's write from a foreign Origin, or with neither Origin nor token, is refused; the page's token works", async () => {
    const foreign = await as("olga", "POST", "/api/dags/a_dag/pause", { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain('the request\'s Origin is "https://evil.example"');
    const bare = await as("olga", "POST", "/api/dags/a_dag/pause", { origin: null });
    expect(bare.status).toBe(403);
    expect(bare.body.error.message).toContain("X-CSRF-Token");
    expect((await as("olga", "GET", "/api/dags/a_dag")).body.paused).toBe(false);
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(
      (await as("olga", "GET", "/dags/a_dag")).text,
    )?.[1];
    expect(csrf).toBeDefined();
    const withToken = await as("olga", "POST", "/api/dags/a_dag/pause", { origin: null, csrf: csrf ?? "" });
    expect(withToken.status, withToken.text).toBe(200);
    expect((await as("olga", "POST", "/api/dags/a_dag/unpause")).status).toBe(200);
  });

  it("bearer-token writes need no Origin or CSRF token", async () => {
    const response = await fetch(`${login.url}/api/dags/a_dag/runs`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKENS.teamA}`,
        "content-type": "application/json",
        origin: "https://ci.example",
      },
      body: "{}",
    });
    expect(response.status).toBe(201);
  });

  it("a tampered or foreign session cookie is a clean redirect to sign in (page) or 401 (API), never a 500", async () => {
    const jar = jars.get("alice");
    const cookie = jar?.header(login.url) ?? "";
    const session = /updraft_session=([^;]+)/.exec(cookie)?.[1] ?? "";
    expect(session).not.toBe("");
    const flipped = `${session.slice(0, 40)}${session[40] === "A" ? "B" : "A"}${session.slice(41)}`;
    for (const value of [flipped, session.slice(0, -5), "garbage", `${session}.${session}`]) {
      const page = await fetch(`${login.url}/`, {
        headers: { cookie: `updraft_session=${value}` },
        redirect: "manual",
      });
      expect(page.status, value.slice(0, 20)).toBe(303);
      const api = await fetch(`${login.url}/api/me`, { headers: { cookie: `updraft_session=${value}` } });
      expect(api.status).toBe(401);
      const write = await fetch(`${login.url}/api/sync`, {
        method: "POST",
        headers: { cookie: `updraft_session=${value}`, origin: login.url },
      });
      expect(write.status).toBe(401);
    }
  });

  it("admins read the audit log; every write left exactly one entry with who, how, what and the answer", async () => {
    const writes: Array<[string, string, string, number]> = [];
    for (const [user, path, body] of [
      ["olga", "/api/dags/a_dag/runs", { conf: { pasted: `secret=${login.provider.clientSecret}` } }],
      ["victor", "/api/dags/a_dag/pause", undefined],
      ["alice", "/api/sync", undefined],
      ["olga", "/api/dags/b_dag/runs", {}],
    ] as const) {
      const response = await as(user, "POST", path, { body });
      writes.push([user, path, response.headers.get("x-request-id") ?? "", response.status]);
    }
    expect((await as("victor", "GET", "/api/audit")).status).toBe(403);
    expect((await as("olga", "GET", "/audit")).status).toBe(403);
    const audit = await as("alice", "GET", "/api/audit?limit=1000");
    expect(audit.status).toBe(200);
    for (const [user, path, requestId, status] of writes) {
      const entries = audit.body.filter((entry: { requestId: string }) => entry.requestId === requestId);
      expect(entries, `${user} ${path}`).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: `${user}@example.com`, via: "session", status });
    }
    const trigger = audit.body.find((entry: { requestId: string }) => entry.requestId === writes[0]?.[2]);
    expect(trigger).toMatchObject({
      action: "trigger",
      target: "dag/a_dag",
      role: "operator",
      input: { conf: {} },
    });
    const logins = audit.body.filter((entry: { action: string }) => entry.action === "login");
    expect(logins.map((entry: { actor: string }) => entry.actor)).toEqual(
      expect.arrayContaining(["alice@example.com", "olga@example.com", "victor@example.com"]),
    );
    const page = await as("alice", "GET", "/audit?actor=olga%40example.com");
    expect(page.status).toBe(200);
    expect(page.text).toContain("dag/b_dag");
  });
});

describe("sessions over time", () => {
  it("survive a daemon restart on the same state dir; sign-out ends them", async () => {
    await login.daemon.stop();
    const again = await startTestDaemon(cleanup, login.args, { env: login.env });
    expect(again.url).toBe(login.url);
    expect((await as("alice", "GET", "/api/me")).body).toMatchObject({
      actor: "alice@example.com",
      role: "admin",
    });
    const out = await as("alice", "POST", "/auth/logout");
    expect([302, 303]).toContain(out.status);
    expect(out.headers.get("location") ?? "").toContain(`${login.provider.issuer.origin}/session/end`);
    expect((await as("alice", "GET", "/api/me")).status).toBe(401);
  });
});
