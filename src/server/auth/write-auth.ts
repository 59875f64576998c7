import type { Context } from "hono";
import { HttpError } from "../http-error.ts";
import { isLoopbackHost, requestHost } from "./loopback-host.ts";

export interface WriteAuth {
  /** `--api-token`; when unset, writes are allowed only on a loopback listener. */
  apiToken: string | undefined;
  /** `--read-token`; when set, every read needs it (or the API token). */
  readToken?: string | undefined;
  listensOnLoopback: boolean;
}

/**
 * Without a token, only the local user's own tools may write: addressed to a loopback name, from
 * no web page but this server's own, with a JSON body. A cross-site form (text/plain, urlencoded,
 * multipart) can be posted by any page without the browser asking; a JSON one cannot.
 */
export function checkLocalWrite(c: Context): void {
  const host = requestHost(c);
  if (!isLoopbackHost(host))
    throw new HttpError(
      403,
      "forbidden",
      `writes without --api-token are accepted only when addressed to localhost, 127.0.0.1 or [::1], not ${JSON.stringify(host)}`,
    );
  const origin = c.req.header("origin");
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`)
    throw new HttpError(
      403,
      "forbidden",
      `writes without --api-token are accepted only from this server's own pages: the request's Origin is ${JSON.stringify(origin)}, not http://${host}; start updraft with --api-token to accept writes from elsewhere`,
    );
  const type = c.req.header("content-type");
  if (hasBody(c) && !/^application\/json\s*(;|$)/i.test(type ?? ""))
    throw new HttpError(
      415,
      "unsupported_media_type",
      `write bodies must be application/json (send Content-Type: application/json), not ${type === undefined ? "untyped" : JSON.stringify(type)}`,
    );
}

function hasBody(c: Context): boolean {
  const length = c.req.header("content-length");
  if (length !== undefined) return length.trim() !== "0";
  return c.req.header("transfer-encoding") !== undefined;
}
