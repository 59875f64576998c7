import type { Context } from "hono";
import type { Principal } from "../../access/principal.ts";
import { HttpError } from "../http-error.ts";
import { secretsEqual } from "../secret-compare.ts";
import { requestHost } from "./loopback-host.ts";

/**
 * A write carried by the session cookie must come from this server's own pages: its `Origin` is
 * the public URL's (or, without one, the address the request was sent to), or, when a browser
 * sends no Origin, it carries the session's CSRF token. A bearer token needs neither: no other
 * site can make a browser send one.
 */
export function checkCsrf(c: Context, principal: Principal, publicOrigin: string | undefined): void {
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    const expected = publicOrigin ?? `${new URL(c.req.url).protocol}//${requestHost(c)}`;
    if (origin.toLowerCase() === expected.toLowerCase()) return;
    throw new HttpError(
      403,
      "forbidden",
      `a signed-in write must come from this server's pages: the request's Origin is ${JSON.stringify(origin)}, not ${expected} (--public-url)`,
    );
  }
  const token = c.req.header("x-csrf-token");
  if (token !== undefined && principal.csrfToken !== undefined && secretsEqual(token, principal.csrfToken))
    return;
  throw new HttpError(
    403,
    "forbidden",
    "a signed-in write without an Origin header must carry the session's X-CSRF-Token (the page sends it)",
  );
}
