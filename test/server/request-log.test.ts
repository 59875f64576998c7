// One JSON log line per request (method, path, status, duration), and nothing secret in it.
import { expect, it } from "vitest";
import { githubSignature, pushPayload } from "../support/github-webhook.ts";
import { useApiDaemon } from "./support/api-daemon.ts";

const api = useApiDaemon();

interface LogLine {
  msg: string;
  level: number;
  method?: string;
  path?: string;
  status?: number;
  durationMs?: number;
}
const requestLines = () =>
  api.test.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.msg === "request");

it("logs method, path, status and duration of each request over HTTP", async () => {
  const response = await api.test.request("/api/dags/ok_dag?verbose=1");
  expect(response.status).toBe(200);
  const missing = await api.test.request("/api/dags/no_such_dag");
  expect(missing.status).toBe(404);
  expect(requestLines()).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        method: "GET",
        path: "/api/dags/ok_dag",
        status: 200,
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({ method: "GET", path: "/api/dags/no_such_dag", status: 404, level: 30 }),
    ]),
  );
});

it("logs no credential a request carried: bearer tokens, ?token= queries, webhook signatures", async () => {
  // None of these is a configured secret, so the logger's scrubbing would not hide them: only
  // never reading them keeps them out.
  const wrongToken = "wrong-token-5f1c2a9e7d";
  const queryToken = "query-token-8b3e61d0aa";
  const body = JSON.stringify(pushPayload("main"));
  const signature = githubSignature("not-the-webhook-secret", body);
  expect((await api.call("POST", "/api/sync", { token: wrongToken })).status).toBe(401);
  expect((await api.test.request(`/api/status?token=${queryToken}&access_token=${queryToken}`)).status).toBe(
    200,
  );
  const hook = await api.call("POST", "/webhooks/github", {
    token: null,
    body,
    headers: { "x-hub-signature-256": signature, "x-github-event": "push" },
  });
  expect(hook.status).toBe(401);
  const text = api.test.logs.join("\n");
  for (const secret of [wrongToken, queryToken, signature, signature.slice("sha256=".length)])
    expect(text).not.toContain(secret);
  expect(text.toLowerCase()).not.toContain("authorization");
  expect(requestLines()).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ method: "POST", path: "/api/sync", status: 401 }),
      expect.objectContaining({ method: "GET", path: "/api/status", status: 200 }),
      expect.objectContaining({ method: "POST", path: "/webhooks/github", status: 401 }),
    ]),
  );
});

it("logs probes and scrapes at debug only (not at the default info level)", async () => {
  for (const path of ["/healthz", "/readyz", "/metrics"])
    expect((await api.test.request(path)).status).toBe(200);
  expect(
    requestLines().filter((line) => ["/healthz", "/readyz", "/metrics"].includes(line.path ?? "")),
  ).toEqual([]);
});
