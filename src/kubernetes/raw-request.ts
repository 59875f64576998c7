import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** What `applyToHTTPSOptions` fills in: auth header or basic auth, TLS material, the agent. */
type HttpsOptions = Omit<https.RequestOptions, "headers"> & { headers: Record<string, string> };

/**
 * Starts one request to the API server as the official client would send it: the kubeconfig's
 * current cluster, its credentials (bearer token, exec plugin, basic auth, client certificate) and
 * TLS settings, and the shared keep-alive agent (connection-reuse.ts). `headers` come first; the
 * credentials' headers are laid over them.
 */
export async function startRequest(
  config: KubeConfig,
  method: "GET" | "POST" | "DELETE",
  path: string,
  query: ReadonlyArray<readonly [string, string]>,
  headers: Readonly<Record<string, string>>,
): Promise<{ request: http.ClientRequest; response: Promise<http.IncomingMessage> }> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error("No currently active cluster");
  const options: HttpsOptions = { headers: {} };
  await config.applyToHTTPSOptions(options);
  const url = new URL(cluster.server + path);
  for (const [name, value] of query) url.searchParams.append(name, value);
  const all: Record<string, string> = { ...headers, ...options.headers };
  if (options.auth) all.Authorization = `Basic ${Buffer.from(options.auth).toString("base64")}`;
  const send = url.protocol === "https:" ? https.request : http.request;
  const request = send(url, { method, agent: options.agent, headers: all, ...tlsOptions(options) });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.on("response", resolve);
    request.on("error", reject);
  });
  return { request, response };
}

/** Response headers as the client hands them over: one string per name, sorted by name. */
export function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/** A response body as text (a JSON answer or a Status; never a log, which is streamed). */
export async function bodyText(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The TLS fields of the options, for a request the agent does not already hold them for. */
function tlsOptions(options: HttpsOptions): https.RequestOptions {
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
  const tls: https.RequestOptions = { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername };
  for (const name of Object.keys(tls) as Array<keyof typeof tls>)
    if (tls[name] === undefined) delete tls[name];
  return tls;
}
