// Without --api-token on a loopback listener, only the local user's own requests get in: no other
// web page (cross-site form posts) and no other name for 127.0.0.1 (DNS rebinding).
import { beforeAll, describe, expect, it } from "vitest";
import { runTrigger } from "../../src/cli/trigger-command.ts";
import { pushPayload, webhookRequest } from "../support/github-webhook.ts";
import { rawRequest } from "../support/raw-http.ts";
import { useApiDaemon, WEBHOOK_SECRET } from "./support/api-daemon.ts";

const api = useApiDaemon({ apiToken: false });
let base: string;
let port: string;
let runId: string;
beforeAll(async () => {
  base = api.test.url;
  port = new URL(base).port;
  runId = await api.runToEnd("ok_dag");
}, 60_000);

const runCount = () =>
  api.test.daemon.store.runsOf("ok_dag", 1000).length + api.test.daemon.store.activeRuns().length;

/** A trigger of ok_dag over real HTTP with exactly these headers. */
function trigger(headers: Record<string, string>, body = '{"conf":{"from":"test"}}') {
  return rawRequest(base, { method: "POST", path: "/api/dags/ok_dag/runs", headers, body });
}

describe("writes without an API token", () => {
  it("refuses a cross-site form post (text/plain, foreign Origin) with 403, and creates no run", async () => {
    const before = runCount();
    const response = await trigger({
      host: `127.0.0.1:${port}`,
      origin: "https://attacker.example",
      "content-type": "text/plain",
    });
    expect(response.status, response.text).toBe(403);
    expect(response.body.error.code).toBe("forbidden");
    expect(response.body.error.message).toContain("https://attacker.example");
    expect(response.body.error.message).toContain("Origin");
    expect(runCount()).toBe(before);
  });

  it("refuses a body that is not application/json (415) even from the same origin, and creates no run", async () => {
    const before = runCount();
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const response = await trigger({ host: `127.0.0.1:${port}`, "content-type": type });
      expect(response.status, `${type}: ${response.text}`).toBe(415);
      expect(response.body.error.message).toContain("application/json");
    }
    const untyped = await rawRequest(base, {
      method: "POST",
      path: "/api/dags/ok_dag/runs",
      headers: { host: `127.0.0.1:${port}` },
      body: '{"conf":{}}',
    });
    expect(untyped.status, untyped.text).toBe(415);
    expect(runCount()).toBe(before);
  });

  it("refuses a write whose Host is not a loopback name (DNS rebinding) with 403, and creates no run", async () => {
    const before = runCount();
    for (const host of [
      "attacker.example",
      `attacker.example:${port}`,
      `127.0.0.1.attacker.example:${port}`,
    ]) {
      const response = await trigger({
        host,
        origin: `http://${host}`,
        "content-type": "application/json",
      });
      expect(response.status, `${host}: ${response.text}`).toBe(403);
      expect(response.body.error.message).toContain(host);
    }
    expect(runCount()).toBe(before);
  });

  it("accepts a same-origin JSON write under every loopback name, with or without the port (201)", async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      "localhost",
      "127.0.0.1",
    ]) {
      const response = await trigger({
        host,
        origin: `http://${host}`,
        "content-type": "application/json",
      });
      expect(response.status, `${host}: ${response.text}`).toBe(201);
    }
    // As the status page's script sends it (an empty JSON body), and as curl sends it (no Origin).
    const page = await rawRequest(base, {
      method: "POST",
      path: "/api/dags/paused_dag/unpause",
      headers: {
        host: `127.0.0.1:${port}`,
        origin: `http://127.0.0.1:${port}`,
        "content-type": "application/json",
      },
      body: "",
    });
    expect(page.status, page.text).toBe(200);
    const curl = await rawRequest(base, {
      method: "POST",
      path: "/api/sync",
      headers: { host: `localhost:${port}` },
    });
    expect(curl.status, curl.text).toBe(202);
  });

  it("refuses a same-host write from another origin (another port, https, null) with 403", async () => {
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, `https://127.0.0.1:${port}`, "null"]) {
      const response = await trigger({
        host: `127.0.0.1:${port}`,
        origin,
        "content-type": "application/json",
      });
      expect(response.status, `${origin}: ${response.text}`).toBe(403);
    }
  });

  it("still works for `updraft trigger`", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runTrigger(
      { dagId: "ok_dag", conf: '{"from":"cli"}', server: base, token: undefined },
      (text) => out.push(text),
      (text) => err.push(text),
    );
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/^ok_dag__manual__/);
  });
});

describe("reads and the webhook", () => {
  it("refuses reads whose Host is not a loopback name with 403 (a rebound page would read logs)", async () => {
    for (const path of ["/api/status", `/api/runs/${runId}/tasks/say/logs`, "/", `/runs/${runId}`]) {
      const response = await rawRequest(base, { path, headers: { host: `attacker.example:${port}` } });
      expect(response.status, `${path}: ${response.text}`).toBe(403);
      expect(response.text).toContain("attacker.example");
      expect(response.text).not.toContain("hello");
    }
    const local = await rawRequest(base, {
      path: `/api/runs/${runId}/tasks/say/logs`,
      headers: { host: `localhost:${port}` },
    });
    expect(local.status).toBe(200);
    expect(local.text).toContain("hello");
  });

  it("keeps the signed webhook working whatever its Host (it carries its own HMAC)", async () => {
    const hook = webhookRequest("push", pushPayload("main"), WEBHOOK_SECRET);
    const response = await rawRequest(base, {
      method: "POST",
      path: "/webhooks/github",
      headers: { ...(hook.headers as Record<string, string>), host: "hooks.tunnel.example" },
      body: String(hook.body),
    });
    expect(response.status, response.text).toBe(202);
  });
});
