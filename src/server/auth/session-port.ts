import type { Context, Hono } from "hono";

/** A signed-in person, as the session cookie holds them (encrypted and signed). */
export interface SessionUser {
  /** The provider's subject. */
  sub: string;
  /** Only a verified email (a provider saying `email_verified: false` gives none). */
  email?: string | undefined;
  name?: string | undefined;
  /** The groups claim, kept only for groups the roles file names. */
  groups: string[];
  /** Sent by the page as `X-CSRF-Token` when a write carries no Origin. */
  csrfToken: string;
  /** Epoch ms the session ends (`--session-ttl` after sign-in). */
  expiresAt: number;
}

/** What the server needs of login: the session a request carries and the `/auth/*` routes. */
export interface SessionPort {
  /**
   * The request's signed-in user; undefined without a valid session cookie (none, tampered,
   * expired, or sealed with another key): never throws on a bad cookie.
   */
  read(c: Context): Promise<SessionUser | undefined>;
  /** `/auth/login?next=…`, `/auth/callback`, `/auth/logout`. */
  routes(): Hono;
  /** Where a browser without a session is sent to sign in, coming back to `next` (a local path). */
  loginPath(next: string): string;
}
