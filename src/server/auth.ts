import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http-error.ts";
import { secretsEqual } from "./secret-compare.ts";

export interface WriteAuth {
  /** `--api-token`; when unset, writes are allowed only on a loopback listener. */
  apiToken: string | undefined;
  listensOnLoopback: boolean;
}

/** Guards write endpoints with the bearer token. */
export function requireToken(auth: WriteAuth): MiddlewareHandler {
  return async (c, next) => {
    if (auth.apiToken === undefined) {
      if (!auth.listensOnLoopback) {
        throw new HttpError(
          403,
          "forbidden",
          "write endpoints are disabled: this server listens beyond loopback without an API token; start updraft with --api-token <token> (or UPDRAFT_API_TOKEN)",
        );
      }
      return next();
    }
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1])
      throw new HttpError(
        401,
        "unauthorized",
        "missing bearer token: send Authorization: Bearer <api token>",
      );
    if (!secretsEqual(match[1].trim(), auth.apiToken))
      throw new HttpError(401, "unauthorized", "invalid bearer token");
    return next();
  };
}
