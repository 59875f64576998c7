import { durationOfAtLeast, oneOf, valid, wholeNumberOfAtLeast } from "./flag-parsers.ts";
import { flag, switchFlag } from "./flags.ts";

/** `updraft run`'s login, role, token and audit flags. */
export const LOGIN_FLAGS = [
  flag({
    name: "auth",
    default: "none",
    description:
      "none, or oidc: people sign in with the identity provider at --oidc-issuer, and every read needs a session or token.",
    parse: oneOf(["none", "oidc"]),
  }),
  flag({
    name: "oidc-issuer",
    description:
      "OpenID Connect issuer URL (https; http only on loopback), e.g. https://keycloak.example.com/realms/x.",
    parse: valid("is not an http(s) URL", httpUrl),
  }),
  flag({ name: "oidc-client-id", description: "Client id registered with the provider." }),
  flag({
    name: "oidc-client-secret",
    secret: true,
    description: "Client secret (prefer --oidc-client-secret-file or UPDRAFT_OIDC_CLIENT_SECRET).",
  }),
  flag({
    name: "oidc-client-secret-file",
    description: "File holding the client secret (one trailing newline ignored).",
  }),
  flag({
    name: "oidc-groups-claim",
    default: "groups",
    description: "ID token claim that lists the user's groups (matched by group entries in --roles).",
  }),
  flag({
    name: "public-url",
    description:
      "The URL people use to reach this server, e.g. https://updraft.example.com (the provider redirects back to <url>/auth/callback; links in messages use it).",
    parse: valid("is not an http(s) URL without a path, query or fragment", publicUrl),
  }),
  flag({
    name: "session-ttl",
    default: "8h",
    description: "How long a sign-in lasts.",
    parse: valid('is not a duration of at least 1m (e.g. "8h")', durationOfAtLeast(60_000)),
  }),
  flag({
    name: "roles",
    description:
      "YAML file: viewer, operator and admin, each a list of emails, *@domain patterns and { group }, optionally with dags globs.",
  }),
  flag({
    name: "tokens-file",
    description:
      "YAML file of machine tokens: tokens: [{ name, role, hash: sha256:<hex>, dags? }] (see `updraft token hash`).",
  }),
  switchFlag({
    name: "metrics-auth",
    description: "/metrics needs a viewer token or session too (by default it stays open for scrapers).",
  }),
  flag({
    name: "audit-max-bytes",
    default: String(10 * 1024 * 1024),
    description: "Size at which the audit log (state dir, audit/) starts a new file.",
    parse: valid("is not a whole number ≥ 4096", wholeNumberOfAtLeast(4096)),
  }),
  flag({
    name: "audit-keep-files",
    default: "10",
    description: "Rotated audit log files kept besides the current one.",
    parse: valid("is not a whole number ≥ 1", wholeNumberOfAtLeast(1)),
  }),
  flag({
    name: "audit-retention",
    default: "90d",
    description: "Rotated audit log files older than this are deleted.",
    parse: valid('is not a duration of at least 1d (e.g. "90d")', durationOfAtLeast(86_400_000)),
  }),
] as const;

function httpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? text : undefined;
  } catch {
    return undefined;
  }
}

function publicUrl(text: string): string | undefined {
  if (!httpUrl(text)) return undefined;
  const url = new URL(text);
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) return undefined;
  return url.origin;
}
