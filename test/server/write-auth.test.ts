// Every write endpoint: the bearer token (missing, wrong, right) and the no-token rules.
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { UnstartedApps } from "../support/unstarted-apps.ts";
import { API_TOKEN, type ApiDaemon, startApiDaemon } from "./support/api-daemon.ts";

const cleanup = useCleanup("file");
const apps = new UnstartedApps(cleanup);
let api: ApiDaemon;
let tokenless: ApiDaemon;
let finishedRunId: string;
let openRunId: string;
beforeAll(async () => {
  [api, tokenless] = await Promise.all([
    startApiDaemon(cleanup),
    startApiDaemon(cleanup, { apiToken: false }),
  ]);
  [finishedRunId, openRunId] = await Promise.all([api.runToEnd("ok_dag"), tokenless.runToEnd("ok_dag")]);
}, 90_000);

/** Write endpoints, with a body where they take one; the run id is filled in once a run exists. */
const WRITES: Array<[string, (runId: string) => string, unknown?]> = [
  ["sync now", () => "/api/sync"],
  ["trigger", () => "/api/dags/ok_dag/runs", { conf: { a: 1 } }],
  ["pause", () => "/api/dags/paused_dag/pause"],
  ["unpause", () => "/api/dags/paused_dag/unpause"],
  ["clear", (runId) => `/api/runs/${runId}/tasks/after/clear`],
];

describe.each(WRITES)("%s", (_name, pathOf, body) => {
  it.each([
    ["no Authorization header", null, "missing bearer token"],
    ["a wrong token", "not-the-token", "invalid bearer token"],
    ["the token with one character more", `${API_TOKEN}x`, "invalid bearer token"],
    ["an empty bearer", "", "missing bearer token"],
  ])("answers 401 for %s", async (_case, token, message) => {
    const response = await api.call("POST", pathOf(finishedRunId), { token, body });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: { code: "unauthorized", message: expect.stringContaining(message) },
    });
  });

  it("accepts the right token", async () => {
    const response = await api.call("POST", pathOf(finishedRunId), { body });
    expect(response.status, response.text).toBeGreaterThanOrEqual(200);
    expect(response.status, response.text).toBeLessThan(300);
  });

  it("is refused (403) beyond loopback without --api-token, saying how to set one", async () => {
    const app = await apps.get(["--host", "0.0.0.0"]);
    const response = await app.request(pathOf("some_run"), {
      method: "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("forbidden");
    expect(response.body.error.message).toContain("--api-token");
    expect(response.body.error.message).toContain("UPDRAFT_API_TOKEN");
  });

  it("needs no token on a loopback listener without --api-token", async () => {
    const response = await tokenless.call("POST", pathOf(openRunId), { token: null, body });
    expect(response.status, response.text).toBeGreaterThanOrEqual(200);
    expect(response.status, response.text).toBeLessThan(300);
  });
});

it("reads need no token even when one is configured", async () => {
  for (const path of ["/api/status", "/api/dags", "/api/runs", `/api/runs/${finishedRunId}`, "/metrics"])
    expect((await api.call("GET", path, { token: null })).status, path).toBe(200);
});
