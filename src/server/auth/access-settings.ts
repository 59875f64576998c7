import type { RolesPolicy } from "../../access/roles-file.ts";
import type { TokenRegistry } from "../../access/tokens-file.ts";
import type { SessionPort } from "./session-port.ts";
import type { WriteAuth } from "./write-auth.ts";

/** Who may read and write, as the server enforces it: tokens, sessions, roles, and the loopback rules. */
export interface AccessSettings extends WriteAuth {
  /** `--tokens-file`: named machine tokens with a role and scope. */
  tokens?: TokenRegistry | undefined;
  /** `--auth oidc`: the signed-in person's session. */
  sessions?: SessionPort | undefined;
  /** `--roles`: the roles of signed-in people. */
  roles?: RolesPolicy | undefined;
  /** `--metrics-auth`: /metrics needs a viewer too. */
  metricsAuth?: boolean | undefined;
  /** `--public-url`'s origin: a session's write must come from it. */
  publicOrigin?: string | undefined;
}

/** Login is on (sign-in or named tokens): every read needs a viewer, and writes a role. */
export function loginIsOn(settings: AccessSettings): boolean {
  return settings.sessions !== undefined || settings.tokens !== undefined;
}

/** Reads need some credential: login is on, or `--read-token` is set. */
export function readsNeedCredentials(settings: AccessSettings): boolean {
  return loginIsOn(settings) || settings.readToken !== undefined;
}

/** No credential can write (no API token, no tokens, no sign-in): writes follow the loopback rules. */
export function writesFollowLoopbackRules(settings: AccessSettings): boolean {
  return settings.apiToken === undefined && !loginIsOn(settings);
}
