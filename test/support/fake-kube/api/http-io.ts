import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, KubeError } from "../status.ts";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The request body as JSON (`undefined` when empty); malformed JSON is a 400 as on the real server. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new KubeError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${String(error)})`,
    );
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: KubeError): void {
  const retry = error.status.details?.retryAfterSeconds;
  sendJson(res, error.status.code, error.status, retry ? { "Retry-After": String(retry) } : {});
}

/** The `Warning` header kube-apiserver uses for accepted-but-questionable requests. */
export const warningHeader = (warnings: string[]): Record<string, string> =>
  warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") } : {};
