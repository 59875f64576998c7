// --read-token closes every read but the probes, the metrics and the webhook; the page lets a
// browser in through a small token form and an HttpOnly cookie.
import { beforeAll, describe, expect, it } from "vitest";
import { pushPayload, webhookRequest } from "../support/github-webhook.ts";
import { findSecrets, tokenForms } from "../support/secret-search.ts";
import { API_TOKEN, useApiDaemon, WEBHOOK_SECRET } from "./support/api-daemon.ts";

const READ_TOKEN = "read-token-0123456789abcdef";
const api = useApiDaemon({ args: ["--read-token", READ_TOKEN] });
let runId: string;
beforeAll(async () => {
  runId = await api.runToEnd("ok_dag");
}, 60_000);

const reads = () => [
  "/api/status",
  "/api/dags",
  "/api/dags/ok_dag",
  "/api/import-errors",
  "/api/syncs",
  "/api/notifications",
  `/api/runs/${runId}`,
  `/api/runs/${runId}/tasks/say/logs`,
];

/** A form post as a browser sends it. */
function formPost(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return api.test.daemon.app.request("/auth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("--read-token", () => {
  it("answers every API read without a token, or with a wrong one, 401 JSON naming the flag", async () => {
    for (const path of reads()) {
      for (const token of [null, "not-the-token", `${READ_TOKEN}x`]) {
        const response = await api.call("GET", path, { token });
        expect(response.status, `${path} with ${token}`).toBe(401);
        expect(response.body.error.code).toBe("unauthorized");
        expect(response.body.error.message).toContain("--read-token");
        expect(response.text).not.toContain("hello");
      }
    }
  });

  it("lets the read token and the API token read", async () => {
    for (const path of reads())
      for (const token of [READ_TOKEN, API_TOKEN])
        expect((await api.call("GET", path, { token })).status, path).toBe(200);
  });

  it("leaves /healthz, /readyz, /metrics and the signed webhook open", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics"])
      expect((await api.call("GET", path, { token: null })).status, path).toBe(200);
    const hook = webhookRequest("push", pushPayload("main"), WEBHOOK_SECRET);
    expect((await api.test.daemon.app.request("/webhooks/github", hook)).status).toBe(202);
  });

  it("does not let the read token write", async () => {
    const response = await api.call("POST", "/api/dags/ok_dag/runs", { token: READ_TOKEN, body: {} });
    // The read token is a viewer's: refused for the role it lacks (issue #13 point 8).
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'trigger needs the operator role on DAG "ok_dag" (file ok.ts); read-token has the viewer role there',
    );
  });

  it("shows pages a token form (401) and lets a browser in with an HttpOnly, SameSite=Strict cookie", async () => {
    const locked = await api.call("GET", "/dags/ok_dag", { token: null });
    expect(locked.status).toBe(401);
    expect(locked.headers.get("content-type")).toContain("text/html");
    expect(locked.text).toMatch(/<form[^>]+method="post"[^>]+action="\/auth\/token"/);
    expect(locked.text).toContain('type="password"');
    expect(locked.text).toContain('value="/dags/ok_dag"');

    const refused = await formPost({ token: "a-wrong-guess-123", next: "/dags/ok_dag" });
    const refusedText = await refused.text();
    expect(refused.status).toBe(401);
    expect(refused.headers.get("set-cookie")).toBeNull();
    expect(refusedText).toContain("not accepted");
    expect(refusedText).not.toContain("a-wrong-guess-123");

    const accepted = await formPost({ token: READ_TOKEN, next: "/dags/ok_dag" });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/dags/ok_dag");
    const setCookie = accepted.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(findSecrets(tokenForms(READ_TOKEN), { texts: { setCookie: [setCookie] } })).toEqual([]);
    const cookie = setCookie.split(";")[0] ?? "";

    // The page and its script's reads (run state, the log it follows) get in with the cookie.
    for (const path of [
      "/",
      "/dags/ok_dag",
      `/runs/${runId}`,
      `/api/runs/${runId}`,
      `/api/runs/${runId}/tasks/say/logs`,
    ])
      expect((await api.call("GET", path, { token: null, headers: { cookie } })).status, path).toBe(200);
    const forged = await api.call("GET", "/", { token: null, headers: { cookie: `${cookie}x` } });
    expect(forged.status).toBe(401);
  });

  it("sends a browser back only to a path of this server after the form", async () => {
    for (const next of ["//attacker.example/x", "https://attacker.example/", "/\\attacker.example"]) {
      const response = await formPost({ token: READ_TOKEN, next });
      expect(response.status, next).toBe(303);
      expect(response.headers.get("location"), next).toBe("/");
    }
  });

  it("never shows the read token in a response or the log", async () => {
    expect(
      findSecrets(tokenForms(READ_TOKEN), { texts: { responses: api.test.responses, logs: api.test.logs } }),
    ).toEqual([]);
  });
});
