import type { Context } from "hono";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { SessionPort, SessionUser } from "../session-port.ts";
import { loginPath, loginRoutes } from "./login-routes.ts";
import { logoutRoutes } from "./logout-routes.ts";
import {
  checkOidcSettings,
  DEFAULT_GROUPS_CLAIM,
  DEFAULT_SESSION_TTL_MS,
  type OidcLoginSettings,
} from "./oidc-settings.ts";
import type { OidcRuntime } from "./oidc-runtime.ts";
import { ProviderConnection } from "./provider-connection.ts";
import { openSession, SESSION_COOKIE } from "./session-cookie.ts";
import { UsedLogins } from "./used-logins.ts";

export type { OidcLoginSettings } from "./oidc-settings.ts";
export { loadSessionKey } from "./session-key.ts";

const DEFAULT_DISCOVERY_RETRY_MS = 2000;

/**
 * Sign-in through an OpenID Connect provider (authorization code flow with PKCE, state and nonce;
 * ID token signatures checked against the provider's JWKS), with the session in an encrypted,
 * authenticated cookie.
 */
export class OidcLogin implements SessionPort {
  readonly #runtime: OidcRuntime;

  /** Throws when the settings cannot work (an http issuer off loopback, a bad public URL). */
  constructor(settings: OidcLoginSettings) {
    checkOidcSettings(settings);
    const now = settings.now ?? Date.now;
    const mask = settings.mask;
    this.#runtime = {
      issuer: settings.issuer,
      publicUrl: settings.publicUrl,
      secure: settings.publicUrl.protocol === "https:",
      ttlMs: settings.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
      groupsClaim: settings.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
      keepGroups: settings.keepGroups,
      key: settings.sessionKey,
      audit: settings.audit,
      provider: new ProviderConnection({
        issuer: settings.issuer,
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        retryMs: settings.discoveryRetryMs ?? DEFAULT_DISCOVERY_RETRY_MS,
        now,
        log: settings.log,
      }),
      used: new UsedLogins(),
      version: settings.version,
      now,
      mask: mask ? (text) => mask.mask(text) : (text) => text,
      log: settings.log,
    };
  }

  /** Discovers the provider in the background, so the first sign-in need not wait; failures are retried later. */
  warmUp(): Promise<void> {
    return this.#runtime.provider.status().then(() => undefined);
  }

  async read(c: Context): Promise<SessionUser | undefined> {
    try {
      const record = await openSession(getCookie(c, SESSION_COOKIE), this.#runtime.key, this.#runtime.now());
      if (record === undefined) return undefined;
      const { idToken: _idToken, ...user } = record;
      return user;
    } catch {
      // A cookie header the parser chokes on is no session, not a 500.
      return undefined;
    }
  }

  routes(): Hono {
    const app = new Hono();
    app.route("/", loginRoutes(this.#runtime));
    app.route("/", logoutRoutes(this.#runtime));
    return app;
  }

  loginPath(next: string): string {
    return loginPath(next);
  }
}

/** The SessionPort for `--auth oidc`. */
export function createOidcLogin(settings: OidcLoginSettings): OidcLogin {
  return new OidcLogin(settings);
}
