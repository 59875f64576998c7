import type { Writable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeClient } from "./kube-client.ts";
import { bodyText, flatHeaders, startRequest } from "./raw-request.ts";

export interface LogQuery {
  follow: boolean;
  timestamps: boolean;
  sinceTime?: string;
}

/** Opens a container's log and pipes it into `sink`; resolves once the answer is 200. */
export type RawLogStream = (
  namespace: string,
  pod: string,
  container: string,
  query: LogQuery,
  sink: Writable,
) => Promise<{ abort(): void }>;

/**
 * The request client-node's `Log.log` sends (the same path and query, in its order), without
 * node-fetch in between: the response itself is piped into `sink`. Fails as `Log.log` does: a
 * 500 with a Status carries the Status's code and message, any other status carries its own, and
 * a connection error becomes a 500 (transient: asked again).
 */
export function rawLogStreams(config: KubeConfig): RawLogStream {
  return async (namespace, pod, container, query, sink) => {
    const { ApiException } = kubeClient();
    const params: Array<[string, string]> = [
      ["container", container],
      ["follow", String(query.follow)],
      ["pretty", String(query.follow)],
      ["previous", "false"],
      ...(query.sinceTime ? [["sinceTime", query.sinceTime] as [string, string]] : []),
      ["timestamps", String(query.timestamps)],
    ];
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`;
    let response;
    let request;
    try {
      ({ request, response } = await startRequest(config, "GET", path, params, { Accept: "*/*" }));
      request.end();
      response = await response;
    } catch {
      throw new ApiException(500, "Error occurred in log request", undefined, {});
    }
    const status = response.statusCode ?? 0;
    if (status === 200) {
      // `pipe` neither ends nor errors the sink when the body fails (a cut connection): pass the
      // failure on, so every reader's sink ends, and the response's error is never unhandled.
      response.on("error", (error) => sink.destroy(error));
      response.pipe(sink);
      const opened = request;
      return { abort: () => opened.destroy() };
    }
    const headers = flatHeaders(response.headers);
    const text = await bodyText(response).catch(() => "");
    if (status === 500) {
      const v1status = safeJson(text) as { code?: number; message?: string } | undefined;
      if (v1status?.code !== undefined && v1status.message !== undefined)
        throw new ApiException(v1status.code, v1status.message, v1status, headers);
    }
    throw new ApiException(status, "Error occurred in log request", undefined, headers);
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
