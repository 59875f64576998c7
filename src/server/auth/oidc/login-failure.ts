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
  for (let at: unknown = error, depth = 0; depth < 5 && at !== undefined; depth += 1) {
    if (at instanceof Error) {
      if (!parts.includes(at.message)) parts.push(at.message);
      at = at.cause;
    } else {
      if (at !== null && typeof at === "object") parts.push(JSON.stringify(at).slice(0, 200));
      break;
    }
  }
  return parts.join(": ");
}
