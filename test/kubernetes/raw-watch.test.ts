import { once } from "node:events";
import http from "node:http";
import { Watch } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { localKubeConfig } from "./support/local-kube-config.ts";
import { reuseConnections } from "../../src/kubernetes/connection-reuse.ts";
import { rawWatches } from "../../src/kubernetes/raw-watch.ts";

const EVENTS = [
  { type: "ADDED", object: { kind: "Pod", metadata: { name: "p-1", resourceVersion: "5" } } },
  { type: "MODIFIED", object: { kind: "Pod", metadata: { name: "p-1", annotations: { note: "héllo ✓" } } } },
  { type: "BOOKMARK", object: { kind: "Pod", metadata: { resourceVersion: "9" } } },
];

/** Serves one watch per request: `status`, then the events cut into small chunks (mid-line, mid-character). */
async function watchServer(status = 200) {
  const seen: Array<{ url: string; accept: string | undefined; authorization: string | undefined }> = [];
  const server = http.createServer(async (request, response) => {
    seen.push({
      url: request.url ?? "",
      accept: request.headers.accept,
      authorization: request.headers.authorization,
    });
    response.writeHead(status, { "content-type": "application/json" });
    if (status !== 200) return response.end(JSON.stringify({ kind: "Status", code: status }));
    const text = Buffer.from(`${EVENTS.map((e) => JSON.stringify(e)).join("\n")}\nnot json\n`);
    for (let at = 0; at < text.length; at += 7) {
      response.write(text.subarray(at, at + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const config = localKubeConfig(server, { token: "secret-token" });
  reuseConnections(config);
  return { seen, config, close: () => server.close() };
}

type WatchFn = (
  path: string,
  query: Record<string, string | boolean | undefined>,
  onEvent: (type: string, object: unknown) => void,
  onDone: (error: unknown) => void,
) => Promise<{ abort(): void }>;

/** Runs one watch to its end; the events it delivered and what its end was called with. */
async function watchOnce(watch: WatchFn) {
  const events: Array<{ type: string; object: unknown }> = [];
  const ends: unknown[] = [];
  await new Promise<void>((resolve) => {
    void watch(
      "/api/v1/namespaces/jobs/pods",
      { labelSelector: "a=b", resourceVersion: "4", allowWatchBookmarks: true, timeoutSeconds: undefined },
      (type, object) => events.push({ type, object }),
      (error) => {
        ends.push(error);
        setTimeout(resolve, 20);
      },
    );
  });
  return { events, ends };
}

let close: (() => void) | undefined;
afterEach(() => close?.());

describe("raw watch (the shared Pod watch without node-fetch and readline)", () => {
  it("asks as client-node's Watch does and delivers the same events, once each, lines cut anywhere", async () => {
    const server = await watchServer();
    close = server.close;
    const client = new Watch(server.config);
    const viaClient = await watchOnce((...args) => client.watch(...args));
    const viaRaw = await watchOnce(rawWatches(server.config));
    expect(viaRaw.events).toEqual(EVENTS);
    expect(viaRaw).toEqual(viaClient);
    expect(viaRaw.ends).toEqual([null]);
    expect(server.seen[1]).toEqual(server.seen[0]);
    expect(server.seen[1]?.url).toBe(
      "/api/v1/namespaces/jobs/pods?watch=true&labelSelector=a%3Db&resourceVersion=4&allowWatchBookmarks=true",
    );
  });

  it("ends once with an Error carrying the status when the answer is not 200 (410: the version is gone)", async () => {
    const server = await watchServer(410);
    close = server.close;
    const client = new Watch(server.config);
    const viaClient = await watchOnce((...args) => client.watch(...args));
    const viaRaw = await watchOnce(rawWatches(server.config));
    const shape = (ends: unknown[]) =>
      ends.map((e) => ({
        message: (e as Error).message,
        statusCode: (e as { statusCode?: number }).statusCode,
      }));
    expect(shape(viaRaw.ends)).toEqual(shape(viaClient.ends));
    expect(shape(viaRaw.ends)).toEqual([{ message: "Gone", statusCode: 410 }]);
    expect(viaRaw.events).toEqual([]);
  });

  it("ends once with the error when the server cannot be reached", async () => {
    const server = await watchServer();
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { events, ends } = await watchOnce(rawWatches(server.config));
    expect(events).toEqual([]);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toBeInstanceOf(Error);
  });
});
