import type { AuditSink } from "../../../audit/audit-entry.ts";
import type { Logger } from "../../../log/logger.ts";
import type { SecretMask } from "../../../secrets/secret-mask.ts";
import { isLoopbackHost } from "../loopback-host.ts";

/** What sign-in through an OpenID Connect provider is built from (the daemon reads them from flags). */
export interface OidcLoginSettings {
  /** `--oidc-issuer`: https, or http on a loopback host (development and tests). */
  issuer: URL;
  /** `--oidc-client-id`. */
  clientId: string;
  /** `UPDRAFT_OIDC_CLIENT_SECRET` / `--oidc-client-secret-file`; undefined: a public client (PKCE only). */
  clientSecret: string | undefined;
  /** `--public-url`: the daemon's external base URL; the redirect URI is `<publicUrl>/auth/callback`. */
  publicUrl: URL;
  /** `--oidc-groups-claim` (default `groups`). */
  groupsClaim?: string | undefined;
  /** `--session-ttl` in ms (default 8h). */
  sessionTtlMs?: number | undefined;
  /** Groups a session keeps (the roles file's): a provider may list hundreds. */
  keepGroups: ReadonlySet<string>;
  /** 32 bytes that seal the cookies (`loadSessionKey(stateDir)`). */
  sessionKey: Uint8Array;
  /** Every sign-in, refused sign-in and sign-out is appended here before the answer. */
  audit: AuditSink;
  /** The daemon's secret mask: texts served or audited pass through it. */
  mask?: SecretMask | undefined;
  log?: Logger | undefined;
  /** Shown in the pages' footer (AppDeps' `version`). */
  version: string;
  /** The clock (epoch ms); tests pass their own. */
  now?: (() => number) | undefined;
  /** After a failed discovery, the next attempt waits at least this long (default 2 s). */
  discoveryRetryMs?: number | undefined;
}

export const DEFAULT_GROUPS_CLAIM = "groups";
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const SESSION_KEY_BYTES = 32;

/** Refuses settings that cannot work, naming the flag and the fix. */
export function checkOidcSettings(settings: OidcLoginSettings): void {
  const { issuer, publicUrl } = settings;
  if (issuer.protocol === "http:" && !isLoopbackHost(issuer.host))
    throw new Error(
      `--oidc-issuer ${issuer.href} must be https (plain http is accepted only for a provider on localhost, 127.0.0.1 or [::1], for development): use the provider's https issuer URL`,
    );
  if (issuer.protocol !== "http:" && issuer.protocol !== "https:")
    throw new Error(`--oidc-issuer ${issuer.href} must be an https URL (the provider's issuer identifier)`);
  if (publicUrl.protocol !== "http:" && publicUrl.protocol !== "https:")
    throw new Error(
      `--public-url ${publicUrl.href} must be the http(s) URL browsers use to reach updraft, e.g. https://updraft.example.com`,
    );
  // The pages link to absolute paths (`/dags/…`): updraft cannot live under a path prefix.
  if (publicUrl.pathname !== "/" || publicUrl.search !== "" || publicUrl.hash !== "")
    throw new Error(
      `--public-url ${publicUrl.href} must be an origin only (scheme, host, port), e.g. https://updraft.example.com: updraft is served at the root of its host`,
    );
  if (settings.clientId.trim() === "")
    throw new Error("--oidc-client-id is empty: give the client id registered at the provider");
  if (settings.sessionKey.byteLength !== SESSION_KEY_BYTES)
    throw new Error(
      `the session key must be ${SESSION_KEY_BYTES} bytes, not ${settings.sessionKey.byteLength}`,
    );
  const ttl = settings.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  if (!Number.isFinite(ttl) || ttl <= 0)
    throw new Error(`--session-ttl must be a positive duration (e.g. 8h), not ${ttl} ms`);
}

/** `path` on the daemon's public origin. */
export function publicHref(publicUrl: URL, path: string): string {
  return `${publicUrl.origin}${path}`;
}
