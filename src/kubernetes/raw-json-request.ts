import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeClient } from "./kube-client.ts";

/** One JSON request to the API server; resolves with the parsed body (undefined when empty). */
export type RawJsonRequest = (
  method: "POST" | "DELETE",
  path: string,
  query: Readonly<Record<string, string>>,
  body?: unknown,
) => Promise<unknown>;

/** What `applyToHTTPSOptions` fills in: auth header or basic auth, TLS material, the agent. */
type HttpsOptions = Omit<https.RequestOptions, "headers"> & { headers: Record<string, string> };

/**
 * The same request the generated `CoreV1Api` sends (method, path, query, `Accept` and
 * `Content-Type`, the kubeconfig's credentials and TLS, the shared keep-alive agent), without its
 * ObjectSerializer: the body goes out as `JSON.stringify` of the object and the answer comes back
 * as `JSON.parse`, the form watch events already have. The serializer walked the whole Pod twice
 * per create and once per delete (whose answer nobody reads); at 2,000 tasks that was most of the
 * client's CPU. Failures are the client's own `ApiException` (status, body text, headers), so
 * retries, `Retry-After` and admission denials read them as before.
 */
export function rawJsonRequests(config: KubeConfig): RawJsonRequest {
  return async (method, path, query, body) => {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error("No currently active cluster");
    const options: HttpsOptions = { headers: {} };
    await config.applyToHTTPSOptions(options);
    const url = new URL(cluster.server + path);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      Accept: "application/json, */*;q=0.8",
      "Content-Type": "application/json",
      ...options.headers,
    };
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString("base64")}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const send = url.protocol === "https:" ? https.request : http.request;
    const { status, responseHeaders, answer } = await new Promise<{
      status: number;
      responseHeaders: http.IncomingHttpHeaders;
      answer: string;
    }>((resolve, reject) => {
      const request = send(
        url,
        {
          method,
          agent: options.agent,
          headers: text === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(text) },
          ...tlsOptions(options),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              responseHeaders: response.headers,
              answer: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      request.on("error", reject);
      request.end(text);
    });
    const { ApiException } = kubeClient();
    if (status === 401) throw new ApiException(status, "Unauthorized", undefined, flat(responseHeaders));
    if (status < 200 || status > 299)
      throw new ApiException(status, "Unknown API Status Code!", answer, flat(responseHeaders));
    return answer === "" ? undefined : (JSON.parse(answer) as unknown);
  };
}

/** The TLS fields of the options, for a request the agent does not already hold them for. */
function tlsOptions(options: HttpsOptions): https.RequestOptions {
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
  const tls: https.RequestOptions = { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername };
  for (const name of Object.keys(tls) as Array<keyof typeof tls>)
    if (tls[name] === undefined) delete tls[name];
  return tls;
}

/** Response headers as the client hands them over: one string per name, sorted by name. */
function flat(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}
