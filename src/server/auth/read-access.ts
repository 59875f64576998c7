import { createHmac } from "node:crypto";
import type { WriteAuth } from "./write-auth.ts";

/** The cookie the token form sets: proof of a token, not the token (the token is never echoed). */
export const READ_COOKIE = "updraft_read";

/** What the cookie holds for `token`: an HMAC only someone who knows the token can compute. */
export function readCookieValue(token: string): string {
  return createHmac("sha256", token).update("updraft read access").digest("base64url");
}

/** Tokens that open reads: the read token and the API token. */
export function readTokens(auth: WriteAuth): string[] {
  return [auth.readToken, auth.apiToken].filter((token): token is string => token !== undefined);
}
