/**
 * Keeping git credentials out of URLs, config files, logs, state and API output. The token goes
 * to git only through the environment of an askpass helper.
 */

export interface RemoteCredentials {
  /** The remote URL with any user:password removed: safe to store and show. */
  url: string;
  username: string | undefined;
  token: string | undefined;
}

/** Splits `https://user:token@host/repo.git` into a clean URL and its credentials. */
export function splitCredentials(remote: string, envToken: string | undefined): RemoteCredentials {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(remote);
  if (!match || !/^https?:\/\//i.test(remote)) {
    return { url: remote, username: undefined, token: envToken || undefined };
  }
  const userinfo = match[2] ?? "";
  const colon = userinfo.indexOf(":");
  const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const password = colon < 0 ? undefined : userinfo.slice(colon + 1);
  return {
    url: `${match[1]}${match[3]}`,
    username: user ? decodeURIComponent(user) : undefined,
    token: envToken || (password ? decodeURIComponent(password) : undefined),
  };
}

/** Replaces any `user:password@` in URLs of a text (a git error echoing the remote, say) with `***@`. */
export function removeUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@");
}

/** Removes every known secret (raw only) and any `user:password@` from a text; the daemon uses SecretMask. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let clean = removeUrlCredentials(text);
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join("***");
  }
  return clean;
}
