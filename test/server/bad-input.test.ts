// Bad input of every kind gets a specific 4xx JSON error, never a 500.
import { Buffer } from "node:buffer";
import { beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, useApiDaemon } from "./support/api-daemon.ts";

const api = useApiDaemon();
let runId: string;
beforeAll(async () => {
  runId = await api.runToEnd("ok_dag");
}, 90_000);

function expectClientError(response: { status: number; body: unknown; text: string }, status?: number) {
  if (status !== undefined) expect(response.status, response.text).toBe(status);
  expect(response.status, response.text).toBeGreaterThanOrEqual(400);
  expect(response.status, response.text).toBeLessThan(500);
  expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
}

describe("paths", () => {
  const huge = "a".repeat(10_000);
  it.each([
    ["/api/dags/no%20such%20dag", 400],
    ["/api/dags/%E0%A4%A", 400],
    ["/api/dags/%ZZ", 400],
    ["/api/dags/%00", 400],
    ["/api/dags/a%2Fb", 400],
    ["/api/dags/%F0%9F%92%A5", 400],
    [`/api/dags/${huge}`, 400],
    [`/api/dags/${huge}/runs`, 400],
    [`/api/runs/${huge}`, 400],
    ["/api/runs/%C3%28", 400],
    ["/api/runs/..%2F..%2Fetc%2Fpasswd", 400],
    // URL parsing resolves the dots: /api/runs/x/logs, no such route.
    ["/api/runs/x/tasks/%2E%2E/logs", 404],
    ["/api/runs/no_such_run/tasks/say/logs?try=1", 404],
    ["/api/dags/ok_dag/runs?limit=99999999999999999999", 400],
    ["/api/dags/ok_dag/runs?limit=-1", 400],
    ["/api/dags/ok_dag/runs?limit=1e2", 400],
    ["/api/dags/ok_dag/runs?before=%FF", 400],
    ["/api/syncs?before=2026-13-45T99:00:00Z", 400],
    ["/api/syncs?limit=1&limit=2&before=", 400],
    ["/api/../../etc/passwd", 404],
    ["/api/dags/ok_dag/extra/segments", 404],
  ])("GET %s answers %i", async (path, status) => {
    expectClientError(await api.call("GET", path), status);
  });

  it("a huge try number answers 400 (echoed shortened); a try beyond the last answers 404", async () => {
    const huge = await api.call("GET", `/api/runs/${runId}/tasks/say/logs?try=${"9".repeat(400)}`);
    expectClientError(huge, 400);
    expect(huge.text.length).toBeLessThan(300);
    expectClientError(await api.call("GET", `/api/runs/${runId}/tasks/say/logs?try=9007199254740991`), 404);
  });

  it("echoes a huge id only shortened", async () => {
    const response = await api.call("GET", `/api/runs/${huge}`);
    expect(response.text.length).toBeLessThan(400);
  });
});

describe("trigger bodies", () => {
  it.each([
    ["not JSON", "{conf:", 400, "not valid JSON"],
    ["an array", "[]", 400, "expected object"],
    ["null", "null", 400, "expected object"],
    ["a number", "42", 400, "expected object"],
    ["conf as an array", '{"conf":[1,2]}', 400, "conf"],
    ["conf as a string", '{"conf":"{}"}', 400, "conf"],
    ["conf null", '{"conf":null}', 400, "conf"],
    ["an unknown field", '{"conf":{},"dagId":"x"}', 400, "dagId"],
    ["a NUL byte", "\u0000", 400, "not valid JSON"],
  ])("%s answers %i", async (_case, body, status, message) => {
    const response = await api.call("POST", "/api/dags/ok_dag/runs", { body });
    expectClientError(response, status);
    expect(response.body.error.message).toContain(message);
  });

  it.each([
    ["objects", `{"conf":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`],
    ["arrays", `{"conf":{"a":${"[".repeat(5000)}${"]".repeat(5000)}}}`],
  ])("a conf of %s nested 5000 deep answers 400, and the store still writes", async (_case, body) => {
    const response = await api.call("POST", "/api/dags/ok_dag/runs", { body });
    expectClientError(response, 400);
    expect(response.body.error.message).toContain("nested more than 64 levels");
    expect((await api.call("GET", "/healthz")).status).toBe(200);
    const shallow = `{"conf":${'{"a":'.repeat(63)}1${"}".repeat(63)}}`;
    expect((await api.call("POST", "/api/dags/ok_dag/runs", { body: shallow })).status).toBe(201);
  });

  it("invalid UTF-8 in a body is decoded leniently (U+FFFD), like any JSON text: 201, never a 500", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"conf":{"k":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}'),
    ]);
    const response = await api.test.daemon.app.request("/api/dags/ok_dag/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: bytes,
    });
    expect(response.status).toBe(201);
    const { runId } = (await response.json()) as { runId: string };
    const run = await api.call("GET", `/api/runs/${runId}`);
    expect(run.body.conf.k).toMatch(/^\uFFFD+$/);
  });

  it.each([
    ["a form", "application/x-www-form-urlencoded", "conf=%7B%7D"],
    [
      "multipart",
      "multipart/form-data; boundary=x",
      "--x\r\ncontent-disposition: form-data; name=conf\r\n\r\n{}\r\n--x--",
    ],
    ["XML", "application/xml", "<conf/>"],
  ])("%s body answers 400", async (_case, contentType, body) => {
    expectClientError(
      await api.call("POST", "/api/dags/ok_dag/runs", { body, headers: { "content-type": contentType } }),
      400,
    );
  });

  it("a JSON body with another content type is still read as JSON (201)", async () => {
    const response = await api.call("POST", "/api/dags/ok_dag/runs", {
      body: '{"conf":{"k":1}}',
      headers: { "content-type": "text/plain" },
    });
    expect(response.status, response.text).toBe(201);
  });

  it("an empty body means no conf (201)", async () => {
    const response = await api.test.daemon.app.request("/api/dags/ok_dag/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(response.status, await response.text()).toBe(201);
  });

  it("a body over 1 MB answers 413", async () => {
    const response = await api.call("POST", "/api/dags/ok_dag/runs", {
      body: JSON.stringify({ conf: { blob: "x".repeat(1024 * 1024) } }),
    });
    expectClientError(response, 413);
    expect(response.body.error.code).toBe("payload_too_large");
  });
});

describe("methods and headers", () => {
  it.each([
    ["PATCH", "/api/dags/ok_dag"],
    ["DELETE", `/api/runs/${"r"}`],
    ["PUT", "/api/dags/ok_dag/runs"],
    ["GET", "/api/sync"],
    ["GET", "/webhooks/github"],
  ])("%s %s answers 404", async (method, path) => {
    expectClientError(await api.call(method, path), 404);
  });

  it("a malformed Authorization header answers 401", async () => {
    for (const authorization of ["Bearer", "Bearer  ", "Token abc", "bearer\tx", "Basic Og=="]) {
      const response = await api.call("POST", "/api/sync", { token: null, headers: { authorization } });
      expectClientError(response, 401);
    }
  });

  it("a webhook with a bad signature header of any shape answers 401", async () => {
    for (const signature of ["", "sha256=", "sha256=zz", `sha256=${"0".repeat(64)}`, "md5=abc"]) {
      const response = await api.call("POST", "/webhooks/github", {
        token: null,
        body: "{}",
        headers: { "x-hub-signature-256": signature, "x-github-event": "push" },
      });
      expectClientError(response, 401);
    }
  });
});
