import path from "node:path";
import { RolesPolicy } from "../access/roles-file.ts";
import { TokenRegistry } from "../access/tokens-file.ts";
import type { OidcConfig } from "../config/login-config.ts";
import { UsageError } from "../config/flags.ts";
import { createOidcLogin, type OidcLogin } from "../server/auth/oidc/oidc-login.ts";
import { loadSessionKeySync } from "../server/auth/oidc/session-key.ts";
import type { SessionPort } from "../server/auth/session-port.ts";
import { AuditLog, auditFile } from "../audit/audit-log.ts";
import { probeWritable } from "../store/durable-write.ts";
import { AuditTrail } from "../audit/audit-trail.ts";
import type { RunConfig } from "../config/run-config.ts";
import type { Logger } from "../log/logger.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { AccessSettings } from "../server/auth/access-settings.ts";

/**
 * Who may read and write (tokens, sign-in, roles, the loopback rules) and the audit log every
 * write goes to, from `updraft run`'s flags. The tokens and roles files are read once, here.
 */
export function accessSetup(
  config: Pick<RunConfig, "apiToken" | "readToken" | "host" | "stateDir" | "login">,
  deps: { mask: SecretMask; log: Logger; version: string },
): { auth: AccessSettings; audit: AuditTrail } {
  const { login } = config;
  const log = new AuditLog({
    stateDir: config.stateDir,
    mask: deps.mask,
    maxBytes: login.audit.maxBytes,
    keepFiles: login.audit.keepFiles,
    retentionMs: login.audit.retentionMs,
    onWarning: (message, error) => deps.log.warn({ err: error }, message),
  });
  const audit = new AuditTrail(log, { probe: () => probeWritable(path.dirname(auditFile(config.stateDir))) });
  const roles = login.rolesFile === undefined ? undefined : RolesPolicy.fromFile(login.rolesFile);
  const auth: AccessSettings = {
    apiToken: config.apiToken,
    readToken: config.readToken,
    listensOnLoopback: isLoopback(config.host),
    tokens: login.tokensFile === undefined ? undefined : TokenRegistry.fromFile(login.tokensFile),
    metricsAuth: login.metricsAuth,
    publicOrigin: login.publicUrl,
    roles,
    sessions:
      login.oidc && roles && login.publicUrl
        ? oidcSessions(config, login.oidc, roles, audit, deps)
        : undefined,
  };
  return { auth, audit };
}

/** Sign-in through the provider: discovery starts now, in the background, and is retried until it works. */
function oidcSessions(
  config: Pick<RunConfig, "stateDir" | "login">,
  oidc: OidcConfig,
  roles: RolesPolicy,
  audit: AuditTrail,
  deps: { mask: SecretMask; log: Logger; version: string },
): SessionPort {
  let sessions: OidcLogin;
  try {
    sessions = createOidcLogin({
      issuer: new URL(oidc.issuer),
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      publicUrl: new URL(config.login.publicUrl ?? ""),
      groupsClaim: oidc.groupsClaim,
      sessionTtlMs: config.login.sessionTtlMs,
      keepGroups: roles.groups,
      sessionKey: loadSessionKeySync(config.stateDir),
      audit,
      mask: deps.mask,
      log: deps.log,
      version: deps.version,
    });
  } catch (error) {
    // A setting the provider cannot work with (an http issuer off loopback, say): stop at start-up.
    throw new UsageError((error as Error).message);
  }
  void sessions.warmUp();
  return sessions;
}

/** `--host` names a loopback address: writes without a token are allowed from this machine only. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
