import { TokenRegistry } from "../access/tokens-file.ts";
import { AuditLog } from "../audit/audit-log.ts";
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
  deps: { mask: SecretMask; log: Logger },
): { auth: AccessSettings; audit: AuditLog } {
  const { login } = config;
  const audit = new AuditLog({
    stateDir: config.stateDir,
    mask: deps.mask,
    maxBytes: login.audit.maxBytes,
    keepFiles: login.audit.keepFiles,
    retentionMs: login.audit.retentionMs,
    onWarning: (message, error) => deps.log.warn({ err: error }, message),
  });
  const auth: AccessSettings = {
    apiToken: config.apiToken,
    readToken: config.readToken,
    listensOnLoopback: isLoopback(config.host),
    tokens: login.tokensFile === undefined ? undefined : TokenRegistry.fromFile(login.tokensFile),
    metricsAuth: login.metricsAuth,
    publicOrigin: login.publicUrl,
  };
  return { auth, audit };
}

/** `--host` names a loopback address: writes without a token are allowed from this machine only. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
