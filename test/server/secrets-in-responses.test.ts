// The API token and webhook secret never appear in any response, whatever the request carried.
import { expect, it } from "vitest";
import { pushPayload, webhookRequest } from "../support/github-webhook.ts";
import { findSecrets, tokenForms } from "../support/secret-search.ts";
import { API_TOKEN, useApiDaemon, WEBHOOK_SECRET } from "./support/api-daemon.ts";

const api = useApiDaemon();

it("no response body or header, and no log line, contains a secret", async () => {
  const runId = await api.runToEnd("ok_dag", { note: "hello" });
  const failedId = await api.runToEnd("fail_dag");
  const hook = webhookRequest("push", pushPayload("main"), WEBHOOK_SECRET);
  expect((await api.test.daemon.app.request("/webhooks/github", hook)).status).toBe(202);
  const reads = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/status",
    "/api/dags",
    "/api/dags/ok_dag",
    "/api/dags/ok_dag/runs",
    "/api/runs",
    `/api/runs/${runId}`,
    `/api/runs/${failedId}`,
    `/api/runs/${runId}/tasks/say/logs`,
    `/api/runs/${failedId}/tasks/boom/logs`,
    "/api/import-errors",
    "/api/syncs",
    `/api/status?token=${API_TOKEN}`,
    "/api/dags/no_such_dag",
  ];
  for (const path of reads) await api.call("GET", path);
  // Writes with the right token, a wrong one, and the token in odd places.
  await api.call("POST", "/api/sync");
  await api.call("POST", "/api/sync", { token: `${API_TOKEN}-wrong` });
  await api.call("POST", "/api/dags/ok_dag/runs", { body: `{"conf": ${JSON.stringify(API_TOKEN)}}` });
  await api.call("POST", `/api/dags/ok_dag/pause?token=${API_TOKEN}`);
  await api.call("POST", "/api/dags/ok_dag/unpause");
  await api.call("POST", `/api/runs/${runId}/tasks/say/clear`, { token: WEBHOOK_SECRET });
  const needles = [...tokenForms(API_TOKEN), ...tokenForms(WEBHOOK_SECRET)];
  expect(api.test.responses.length).toBeGreaterThan(reads.length);
  expect(findSecrets(needles, { texts: { responses: api.test.responses, logs: api.test.logs } })).toEqual([]);
});
