import { once } from "node:events";
import http from "node:http";
import { finished, Writable } from "node:stream";
import { ApiException, CoreV1Api, Log, type V1Pod } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { apiMessage, retryAfterMs } from "../../src/kubernetes/api-errors.ts";
import { reuseConnections } from "../../src/kubernetes/connection-reuse.ts";
import { statusOf } from "../../src/kubernetes/kube-api.ts";
import { rawJsonRequests } from "../../src/kubernetes/raw-json-request.ts";
import { rawLogStreams } from "../../src/kubernetes/raw-log-stream.ts";
import { localKubeConfig } from "./support/local-kube-config.ts";

interface Seen {
  method: string;
  url: string;
  accept: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

const POD: V1Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "d-t-1234abcd-1",
    namespace: "jobs",
    labels: { "app.kubernetes.io/managed-by": "updraft" },
    annotations: { "updraft.dev/dag-id": "d" },
  },
  spec: {
    restartPolicy: "Never",
    containers: [
      {
        name: "base",
        image: "busybox",
        command: ["sh", "-c", "echo hi"],
        env: [{ name: "A", value: "1" }],
        resources: { requests: { cpu: "200m" }, limits: { memory: "1Gi" } },
      },
    ],
    volumes: [{ name: "data", emptyDir: {} }],
  },
};

/** A server that records each request and answers with `answer`. */
async function recorder(
  answer: (seen: Seen) => { status: number; headers?: Record<string, string>; body: string },
) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const entry: Seen = {
        method: request.method ?? "",
        url: request.url ?? "",
        accept: request.headers.accept,
        contentType: request.headers["content-type"],
        authorization: request.headers.authorization,
        body: text === "" ? undefined : (JSON.parse(text) as unknown),
      };
      seen.push(entry);
      const reply = answer(entry);
      response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      response.end(reply.body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const config = localKubeConfig(server, { token: "secret-token", namespace: "jobs" });
  reuseConnections(config);
  return { seen, config, close: () => server.close() };
}

let close: (() => void) | undefined;
afterEach(() => close?.());

describe("raw JSON requests (creates and deletes without the client's serializer)", () => {
  it("sends the create and the delete CoreV1Api sends: method, path, query, headers, credentials, body", async () => {
    const server = await recorder((seen) => ({
      status: seen.method === "POST" ? 201 : 200,
      body: JSON.stringify(seen.method === "POST" ? seen.body : { kind: "Pod" }),
    }));
    close = server.close;
    const core = server.config.makeApiClient(CoreV1Api);
    const raw = rawJsonRequests(server.config);

    await core.createNamespacedPod({ namespace: "jobs", body: POD });
    const created = await raw("POST", "/api/v1/namespaces/jobs/pods", {}, POD);
    await core.deleteNamespacedPod({ namespace: "jobs", name: "d-t-1234abcd-1", gracePeriodSeconds: 0 });
    const deleted = await raw("DELETE", "/api/v1/namespaces/jobs/pods/d-t-1234abcd-1", {
      gracePeriodSeconds: "0",
    });

    const [clientCreate, rawCreate, clientDelete, rawDelete] = server.seen;
    expect(rawCreate).toEqual(clientCreate);
    expect(rawDelete).toEqual(clientDelete);
    expect(rawCreate?.authorization).toBe("Bearer secret-token");
    expect(rawDelete?.url).toBe("/api/v1/namespaces/jobs/pods/d-t-1234abcd-1?gracePeriodSeconds=0");
    // The answer is the server's JSON as it came (as a watch event has it).
    expect(created).toEqual(POD);
    // A delete's answer (the deleted Pod) is read off the connection, not decoded: nobody uses it.
    expect(deleted).toBeUndefined();
  });

  it("sends the list CoreV1Api sends and hands the items over as the server wrote them", async () => {
    const list = { kind: "PodList", metadata: { resourceVersion: "42" }, items: [POD] };
    const server = await recorder(() => ({ status: 200, body: JSON.stringify(list) }));
    close = server.close;
    const core = server.config.makeApiClient(CoreV1Api);
    const raw = rawJsonRequests(server.config);
    const labelSelector = "app.kubernetes.io/managed-by=updraft";
    await core.listNamespacedPod({ namespace: "jobs", labelSelector });
    expect(await raw("GET", "/api/v1/namespaces/jobs/pods", { labelSelector })).toEqual(list);
    const [viaClient, viaRaw] = server.seen;
    expect(viaRaw).toEqual(viaClient);
  });

  it("fails with the client's ApiException: the status, the Status message and Retry-After read the same", async () => {
    const status = (code: number, message: string) =>
      JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, message });
    const answers = [
      { status: 409, body: status(409, 'pods "p" already exists') },
      { status: 429, headers: { "retry-after": "3" }, body: status(429, "too many requests") },
      { status: 403, body: status(403, 'pods "p" is forbidden: violates PodSecurity "restricted:latest"') },
      { status: 401, body: status(401, "Unauthorized") },
    ];
    let next = 0;
    const server = await recorder(() => answers[Math.floor(next++ / 2)] as (typeof answers)[number]);
    close = server.close;
    const core = server.config.makeApiClient(CoreV1Api);
    const raw = rawJsonRequests(server.config);
    const failure = async (call: () => Promise<unknown>) => {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ApiException);
      return { code: statusOf(error), message: apiMessage(error), retryAfter: retryAfterMs(error) };
    };
    for (let i = 0; i < answers.length; i++) {
      const viaClient = await failure(() => core.createNamespacedPod({ namespace: "jobs", body: POD }));
      const viaRaw = await failure(() => raw("POST", "/api/v1/namespaces/jobs/pods", {}, POD));
      expect(viaRaw).toEqual(viaClient);
      expect(viaRaw.code).toBe(answers[i]?.status);
    }
  });
});

/** A sink that keeps what it was sent and resolves `done` when the stream into it ends. */
function collector() {
  const chunks: Buffer[] = [];
  let ended: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      chunks.push(chunk);
      callback();
    },
  });
  sink.on("finish", () => ended());
  return { sink, done, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("raw log streams (log reads and follows without node-fetch)", () => {
  it("asks for the log as client-node's Log does (path, query and its order, credentials) and streams it", async () => {
    const server = await recorder(() => ({ status: 200, body: "2026-12-01T00:00:00Z hello\n" }));
    close = server.close;
    const log = new Log(server.config);
    const raw = rawLogStreams(server.config);
    for (const query of [
      { follow: false, timestamps: true, sinceTime: "2026-12-01T00:00:00Z" },
      { follow: true, timestamps: true },
    ]) {
      const viaClient = collector();
      await log.log("jobs", "p-1", "base", viaClient.sink, query);
      await viaClient.done;
      const viaRaw = collector();
      await raw("jobs", "p-1", "base", query, viaRaw.sink);
      await viaRaw.done;
      expect(viaRaw.text()).toBe(viaClient.text());
      expect(viaRaw.text()).toBe("2026-12-01T00:00:00Z hello\n");
    }
    const [readClient, readRaw, followClient, followRaw] = server.seen;
    expect(readRaw).toEqual(readClient);
    expect(followRaw).toEqual(followClient);
    expect(readRaw?.url).toBe(
      "/api/v1/namespaces/jobs/pods/p-1/log?container=base&follow=false&pretty=false&previous=false&sinceTime=2026-12-01T00%3A00%3A00Z&timestamps=true",
    );
    expect(readRaw?.authorization).toBe("Bearer secret-token");
  });

  it("fails as Log does: a 500 Status carries its code and message, other codes their own, a dead server is a 500", async () => {
    const answers = [
      { status: 500, body: JSON.stringify({ kind: "Status", code: 503, message: "kubelet unreachable" }) },
      { status: 400, body: JSON.stringify({ kind: "Status", code: 400, message: "container is waiting" }) },
      { status: 404, body: "not found" },
    ];
    let next = 0;
    const server = await recorder(() => answers[Math.floor(next++ / 2)] as (typeof answers)[number]);
    const log = new Log(server.config);
    const raw = rawLogStreams(server.config);
    const failure = async (call: () => Promise<unknown>) => {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ApiException);
      const { code, body } = error as ApiException<unknown>;
      return { code, body, message: apiMessage(error).replace(/\nHeaders: .*/s, "") };
    };
    const query = { follow: false, timestamps: true };
    for (let i = 0; i < answers.length; i++) {
      const viaClient = await failure(() => log.log("jobs", "p", "base", collector().sink, query));
      const viaRaw = await failure(() => raw("jobs", "p", "base", query, collector().sink));
      expect(viaRaw).toEqual(viaClient);
    }
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const viaClient = await failure(() => log.log("jobs", "p", "base", collector().sink, query));
    const viaRaw = await failure(() => raw("jobs", "p", "base", query, collector().sink));
    expect(viaRaw).toEqual(viaClient);
    expect(viaRaw.code).toBe(500);
  });

  it("destroys the sink with the error when the connection is cut in the middle of the log", async () => {
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write("2026-12-01T00:00:00Z first\n");
      setTimeout(() => response.socket?.destroy(), 20);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    close = () => server.close();
    const config = localKubeConfig(server, { token: "t" });
    // A sink without a `pipe` handler of its own (as container-log-tail.ts has it).
    const sink = collector();
    await rawLogStreams(config)("jobs", "p", "base", { follow: true, timestamps: true }, sink.sink);
    const ended = await new Promise<unknown>((resolve) => finished(sink.sink, (error) => resolve(error)));
    expect(ended).toBeInstanceOf(Error);
    expect(sink.text()).toBe("2026-12-01T00:00:00Z first\n");
  });
});
