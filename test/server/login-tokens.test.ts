// Machine tokens with roles and DAG-folder scopes (issue #13 points 2-5, 8), against a real
// daemon on 127.0.0.1: every read needs a token, each write the role it needs on that DAG.
import { beforeAll, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { TOKENS, teamFolders } from "./support/team-dags.ts";

const cleanup = useCleanup("file");
const API_TOKEN = "legacy-api-token-0123456789";
let daemon: TestDaemon;
let closedMetrics: TestDaemon;

beforeAll(async () => {
  const folders = await teamFolders(cleanup);
  const args = ["--dags", folders.dagsDir, "--tokens-file", folders.tokensFile];
  [daemon, closedMetrics] = await Promise.all([
    startTestDaemon(cleanup, [...args, "--state-dir", folders.stateDir], {
      env: { UPDRAFT_API_TOKEN: API_TOKEN },
    }),
    startTestDaemon(cleanup, [...args, "--metrics-auth"]),
  ]);
  await waitFor("both DAGs loaded", async () => {
    const dags = await call(daemon, "GET", "/api/dags", TOKENS.viewer);
    return dags.status === 200 && dags.body.length === 2 ? true : undefined;
  });
}, 60_000);

function call(target: TestDaemon, method: string, path: string, token?: string, body?: unknown) {
  return target.request(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe("reads with a tokens file", () => {
  it("need a token: the API answers 401, a page the token form; probes and metrics stay open", async () => {
    for (const path of ["/api/status", "/api/dags", "/api/runs", "/api/dags/a_dag", "/api/me"]) {
      const response = await call(daemon, "GET", path);
      expect(response.status, path).toBe(401);
      expect(response.body.error.message, path).toContain(
        "sign in at /auth/login, or send Authorization: Bearer <token>",
      );
    }
    expect((await call(daemon, "GET", "/")).status).toBe(401);
    for (const path of ["/healthz", "/readyz", "/metrics"])
      expect((await call(daemon, "GET", path)).status, path).toBe(200);
    expect((await call(daemon, "GET", "/api/dags", "not-a-token-0123456789")).status).toBe(401);
  });

  it("are open to every token, with /api/me naming it, its role and scope", async () => {
    for (const token of Object.values(TOKENS))
      expect((await call(daemon, "GET", "/api/dags", token)).status).toBe(200);
    expect((await call(daemon, "GET", "/api/me", TOKENS.teamA)).body).toEqual({
      authenticated: true,
      auth: "token",
      actor: "ci-team-a",
      role: "operator",
      via: "token",
      grants: [{ role: "operator", dags: ["team-a/**"] }],
    });
    const legacy = await call(daemon, "GET", "/api/me", API_TOKEN);
    expect(legacy.body).toMatchObject({ actor: "api-token", role: "admin", via: "token" });
  });

  it("--metrics-auth closes /metrics to callers without a token", async () => {
    expect((await call(closedMetrics, "GET", "/metrics")).status).toBe(401);
    expect((await call(closedMetrics, "GET", "/metrics", TOKENS.viewer)).status).toBe(200);
    expect((await call(closedMetrics, "GET", "/healthz")).status).toBe(200);
  });
});

describe("writes with a tokens file", () => {
  it("a viewer token cannot trigger, pause or sync: 403 naming the role needed", async () => {
    const trigger = await call(daemon, "POST", "/api/dags/a_dag/runs", TOKENS.viewer, {});
    expect(trigger.status).toBe(403);
    expect(trigger.body.error.message).toBe(
      'trigger needs the operator role on DAG "a_dag" (file team-a/a.ts); dashboards has the viewer role there',
    );
    expect((await call(daemon, "POST", "/api/dags/a_dag/pause", TOKENS.viewer)).status).toBe(403);
    const sync = await call(daemon, "POST", "/api/sync", TOKENS.viewer);
    expect(sync.status).toBe(403);
    expect(sync.body.error.message).toBe(
      "sync needs the operator role; dashboards has the viewer role there",
    );
  });

  it("an operator of team-a/** triggers and pauses team-a's DAG, not team-b's", async () => {
    const mine = await call(daemon, "POST", "/api/dags/a_dag/runs", TOKENS.teamA, { conf: { n: 1 } });
    expect(mine.status, mine.text).toBe(201);
    const run = await call(daemon, "GET", `/api/runs/${mine.body.runId}`, TOKENS.viewer);
    expect(run.body.dagId).toBe("a_dag");
    const theirs = await call(daemon, "POST", "/api/dags/b_dag/runs", TOKENS.teamA, {});
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.message).toBe(
      'trigger needs the operator role on DAG "b_dag" (file team-b/nested/b.ts); ci-team-a has no role there',
    );
    expect((await call(daemon, "POST", "/api/dags/b_dag/pause", TOKENS.teamA)).status).toBe(403);
    expect((await call(daemon, "POST", "/api/dags/a_dag/pause", TOKENS.teamA)).status).toBe(200);
    expect((await call(daemon, "POST", "/api/dags/a_dag/unpause", TOKENS.teamA)).status).toBe(200);
    // A scoped operator may still ask for a sync: it changes nothing but how soon Git is read.
    expect((await call(daemon, "POST", "/api/sync", TOKENS.teamA)).status).toBe(202);
  });

  it("an unscoped operator, an admin token and the API token write everywhere", async () => {
    for (const token of [TOKENS.operator, TOKENS.admin, API_TOKEN]) {
      const response = await call(daemon, "POST", "/api/dags/b_dag/runs", token, {});
      expect(response.status, response.text).toBe(201);
    }
  });

  it("without a token or with a wrong one: 401, and no run is created", async () => {
    const before = (await call(daemon, "GET", "/api/dags/b_dag/runs", TOKENS.viewer)).body.length;
    expect((await call(daemon, "POST", "/api/dags/b_dag/runs", undefined, {})).status).toBe(401);
    const wrong = await call(daemon, "POST", "/api/dags/b_dag/runs", "wrong-token-0123456789", {});
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe("invalid bearer token");
    expect((await call(daemon, "GET", "/api/dags/b_dag/runs", TOKENS.viewer)).body.length).toBe(before);
  });
});
