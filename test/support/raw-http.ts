import http from "node:http";
import { jsonOrUndefined } from "./json-text.ts";

export interface RawResponse {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, read field by field in the tests.
  body: any;
}

/**
 * One HTTP request to `baseUrl` with exactly the headers given, `Host` included (fetch will not let
 * a caller set it; a browser tricked by DNS rebinding sends the attacker's name there).
 */
export function rawRequest(
  baseUrl: string,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const target = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method ?? "GET",
        path: request.path,
        headers: request.headers,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: incoming.statusCode ?? 0,
            text,
            headers: incoming.headers,
            body: jsonOrUndefined(text),
          });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.setTimeout(15_000, () => outgoing.destroy(new Error(`${request.path}: no answer in 15 s`)));
    outgoing.end(request.body);
  });
}
