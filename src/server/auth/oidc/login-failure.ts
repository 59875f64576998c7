import * as client from "openid-client";

/** Why a sign-in was refused, as the callback answers it (a page, and the audit entry's input). */
export class LoginFailure extends Error {
  constructor(
    readonly status: 400 | 401 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** A callback's error, as a LoginFailure: what the provider or the ID token check said, never a stack. */
export function loginFailureOf(error: unknown): LoginFailure {
  if (error instanceof LoginFailure) return error;
  if (error instanceof client.AuthorizationResponseError)
    return new LoginFailure(401, `the identity provider refused the sign-in: ${oauthError(error)}`);
  if (error instanceof client.ResponseBodyError)
    return new LoginFailure(
      401,
      `the identity provider's token endpoint refused the code (HTTP ${error.status}): ${oauthError(error)}`,
    );
  if (error instanceof TypeError || (error instanceof client.ClientError && isTimeout(error.code)))
    return new LoginFailure(503, `the identity provider could not be reached: ${messages(error)}; try again`);
  return new LoginFailure(401, `the ID token or the provider's answer was refused: ${messages(error)}`);
}

function oauthError(error: { error: string; error_description?: string | undefined }): string {
  return error.error_description ? `${error.error} (${error.error_description})` : error.error;
}

function isTimeout(code: string | undefined): boolean {
  return code === "OAUTH_TIMEOUT" || code === "OAUTH_ABORT";
}

/** The messages of an error and its causes, outermost first, without repeats. */
function messages(error: unknown): string {
  const parts: string[] = [];
  let last = "";
  for (let at: unknown = error, depth = 0; depth < 5 && at !== undefined; depth += 1) {
    if (at instanceof Error) {
      if (!parts.includes(at.message)) parts.push(at.message);
      last = at.message;
      at = at.cause;
    } else {
      const detail = mismatch(last, at);
      if (detail) parts[parts.length - 1] += ` (${detail})`;
      break;
    }
  }
  return parts.join(": ");
}

/**
 * What openid-client found wrong, from the details it attaches (`{ expected, claims }` or
 * `{ header, expected }`): the one value at fault, never the whole token.
 */
function mismatch(message: string, cause: unknown): string | undefined {
  if (cause === null || typeof cause !== "object") return undefined;
  const name = /"(\w+)"/.exec(message)?.[1];
  // A nonce is a one-time secret: say it did not match, not what it was.
  if (name === undefined || name === "nonce") return undefined;
  const details = cause as Record<string, unknown>;
  const got = ownValue(details["claims"], name) ?? ownValue(details["header"], name);
  const expected = Object.hasOwn(details, "expected") ? details["expected"] : undefined;
  const said: string[] = [];
  if (expected !== undefined) said.push(`expected ${shown(expected)}`);
  if (got !== undefined) said.push(`got ${shown(got)}`);
  if (typeof details["now"] === "number") said.push(`now ${shown(details["now"])}`);
  return said.length > 0 ? said.join(", ") : undefined;
}

function ownValue(object: unknown, name: string): unknown {
  return object !== null && typeof object === "object" && Object.hasOwn(object, name)
    ? (object as Record<string, unknown>)[name]
    : undefined;
}

function shown(value: unknown): string {
  const text = Array.isArray(value) ? value.map((item) => String(item)).join(" or ") : String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
