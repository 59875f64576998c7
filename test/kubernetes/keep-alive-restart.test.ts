// Issue 17 attack on the shared keep-alive agent: the API server closes the connection the agent
// keeps (it restarted on the same port, or reset the socket after an answer). The next request
// must be answered on a new connection, not hang on the dead one or fail.
import { createServer, type Server } from "node:http";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup();

/** A bare API server that answers every request with an empty pod list on a kept-alive connection. */
async function podListServer(port: number, resetAfter: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = JSON.stringify({
        kind: "PodList",
        apiVersion: "v1",
        metadata: { resourceVersion: "1" },
        items: [],
      });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
      if (resetAfter) setImmediate(() => req.socket.resetAndDestroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  cleanup.defer(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

function configFor(port: number): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "fake", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "fake" }],
    contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
    currentContext: "fake",
  });
  return config;
}

describe("a kept-alive connection the API server closes", () => {
  it("after the server restarted on the same port, the next request is answered", async () => {
    const first = await podListServer(0, false);
    const port = (first.address() as { port: number }).port;
    const api = createKubeApi(configFor(port), { retryBaseMs: 10 });
    await api.listPods("default", "");
    first.closeAllConnections();
    await new Promise((resolve) => first.close(resolve));
    await podListServer(port, false);
    await expect(api.listPods("default", "")).resolves.toMatchObject({ items: [] });
  });

  it("after the server reset the socket following its answer, the next request is answered", async () => {
    const server = await podListServer(0, true);
    const api = createKubeApi(configFor((server.address() as { port: number }).port), { retryBaseMs: 10 });
    await api.listPods("default", "");
    await expect(api.listPods("default", "")).resolves.toMatchObject({ items: [] });
  });
});
