import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "../http-error.ts";

const IPV4_LOOPBACK = /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The host a request was addressed to: its `Host` header (the URL's host when there is none). */
export function requestHost(c: Context): string {
  return c.req.header("host") ?? new URL(c.req.url).host;
}

/** True when `host` (a `Host` header: name and optional port) names this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const match = /^(\[[^\]]*\]|[^:]*)(:\d{1,5})?$/.exec(host.trim().toLowerCase());
  const name = match?.[1];
  return name === "localhost" || name === "[::1]" || (name !== undefined && IPV4_LOOPBACK.test(name));
}

/**
 * On a loopback listener, only requests addressed to a loopback name are answered: a web page
 * whose name the attacker rebinds to 127.0.0.1 sends its own name as `Host`, and would otherwise
 * read (and, without a token, write) as the local user. The signed webhook may come via a tunnel.
 */
export function loopbackHostGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === "/webhooks/github") return next();
    const host = requestHost(c);
    if (!isLoopbackHost(host))
      throw new HttpError(
        403,
        "forbidden",
        `this server listens on loopback and answers only requests addressed to localhost, 127.0.0.1 or [::1], not to ${JSON.stringify(host)} (a page that rebinds its name to this machine is refused); to serve other names, listen on another --host and set --api-token`,
      );
    return next();
  };
}
