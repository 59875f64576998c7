import { type Env, UsageError } from "./flags.ts";
import type { RunFlagValues } from "./run-flags.ts";
import { secretFrom } from "./secret-files.ts";

/** Sign-in by OpenID Connect (`--auth oidc`). */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  groupsClaim: string;
}

/** Who may read and do what: sign-in, roles, machine tokens, and the audit log's bounds. */
export interface LoginConfig {
  oidc: OidcConfig | undefined;
  /** `--public-url` without a trailing slash. */
  publicUrl: string | undefined;
  sessionTtlMs: number;
  rolesFile: string | undefined;
  tokensFile: string | undefined;
  metricsAuth: boolean;
  audit: { maxBytes: number; keepFiles: number; retentionMs: number };
}

/** The login flags together: what `--auth oidc` needs, and flags that only make sense with it. */
export function loginConfigFrom(values: RunFlagValues, env: Env): LoginConfig {
  const oidcFlags = ["oidc-issuer", "oidc-client-id", "roles"] as const;
  const clientSecret = secretFrom(
    values["oidc-client-secret"] ?? (env.UPDRAFT_OIDC_CLIENT_SECRET || undefined),
    values["oidc-client-secret-file"],
    { value: "--oidc-client-secret (or UPDRAFT_OIDC_CLIENT_SECRET)", file: "--oidc-client-secret-file" },
  );
  let oidc: OidcConfig | undefined;
  if (values.auth === "oidc") {
    const missing = [...oidcFlags, "public-url"].filter(
      (name) => values[name as (typeof oidcFlags)[number] | "public-url"] === undefined,
    );
    if (clientSecret === undefined) missing.push("oidc-client-secret-file (or UPDRAFT_OIDC_CLIENT_SECRET)");
    if (missing.length > 0)
      throw new UsageError(`--auth oidc needs ${missing.map((name) => `--${name}`).join(", ")}`);
    oidc = {
      issuer: values["oidc-issuer"] as string,
      clientId: values["oidc-client-id"] as string,
      clientSecret: clientSecret as string,
      groupsClaim: values["oidc-groups-claim"],
    };
  } else {
    const stray = oidcFlags.find((name) => values[name] !== undefined);
    if (stray)
      throw new UsageError(
        `--${stray} is for sign-in by OpenID Connect: add --auth oidc (with --oidc-issuer, --oidc-client-id, --public-url and --roles)`,
      );
  }
  return {
    oidc,
    publicUrl: values["public-url"],
    sessionTtlMs: values["session-ttl"],
    rolesFile: values.roles,
    tokensFile: values["tokens-file"],
    metricsAuth: values["metrics-auth"],
    audit: {
      maxBytes: values["audit-max-bytes"],
      keepFiles: values["audit-keep-files"],
      retentionMs: values["audit-retention"],
    },
  };
}
