import { finished } from "node:stream/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeClient } from "./kube-client.ts";
import { bodyText, flatHeaders, startRequest } from "./raw-request.ts";

/** One JSON request to the API server; resolves with the parsed body (undefined when empty, and for a delete). */
export type RawJsonRequest = (
  method: "GET" | "POST" | "DELETE",
  path: string,
  query: Readonly<Record<string, string>>,
  body?: unknown,
) => Promise<unknown>;

/**
 * The same request the generated `CoreV1Api` sends (method, path, query, `Accept` and
 * `Content-Type`, the kubeconfig's credentials and TLS, the shared keep-alive agent), without its
 * ObjectSerializer: the body goes out as `JSON.stringify` of the object and the answer comes back
 * as `JSON.parse`, the form watch events already have. The serializer walked the whole Pod twice
 * per create and once per delete (whose answer nobody reads), and every Pod of a list; at 2,000
 * tasks that was most of the client's CPU. Failures are the client's own `ApiException` (status,
 * body text, headers), so retries, `Retry-After` and admission denials read them as before.
 */
export function rawJsonRequests(config: KubeConfig): RawJsonRequest {
  return async (method, path, query, body) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const { request, response } = await startRequest(config, method, path, Object.entries(query), {
      Accept: "application/json, */*;q=0.8",
      // As the generated client: a create or delete says its body is JSON (a delete's is empty), a read does not.
      ...(method === "GET" ? {} : { "Content-Type": "application/json" }),
      ...(text === undefined ? {} : { "Content-Length": String(Buffer.byteLength(text)) }),
    });
    request.end(text);
    const answer = await response;
    const status = answer.statusCode ?? 0;
    const { ApiException } = kubeClient();
    if (status === 401) {
      answer.resume();
      throw new ApiException(status, "Unauthorized", undefined, flatHeaders(answer.headers));
    }
    if (method === "DELETE" && status >= 200 && status <= 299) {
      // The deleted object, which no caller reads: drained, not decoded.
      answer.resume();
      await finished(answer);
      return undefined;
    }
    const content = await bodyText(answer);
    if (status < 200 || status > 299)
      throw new ApiException(status, "Unknown API Status Code!", content, flatHeaders(answer.headers));
    return content === "" ? undefined : (JSON.parse(content) as unknown);
  };
}
