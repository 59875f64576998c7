import type { Grant } from "./grant.ts";

/** How a request proved who sent it. */
export type Via = "session" | "token" | "loopback";

/** Who sent a request, as the server's authorisation and audit see it. */
export interface Principal {
  /** An email (a session), a token's name, or `local user` (no auth configured, loopback). */
  readonly actor: string;
  readonly via: Via;
  /** What the actor may do; empty when signed in but matched by no role. */
  readonly grants: readonly Grant[];
  /** A signed-in person's name and groups, for `/api/me`. */
  readonly name?: string | undefined;
  readonly groups?: readonly string[] | undefined;
  /** Proved by the token form's cookie: it opens reads only (writes send the token as a bearer). */
  readonly readOnly?: boolean | undefined;
  /** Session only: the token the page sends as `X-CSRF-Token` when a request carries no Origin. */
  readonly csrfToken?: string | undefined;
}
