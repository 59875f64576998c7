import path from "node:path";
import type { RunConfig } from "../config/run-config.ts";
import type { Logger } from "../log/logger.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { AuditTrail } from "../audit/audit-trail.ts";
import type { AppDeps } from "../server/app-deps.ts";
import { accessSetup } from "./access-setup.ts";

/** What the HTTP layer takes straight from `updraft run`'s flags: access, the audit log, limits, GitHub links. */
export function serverSettings(
  config: Pick<
    RunConfig,
    "apiToken" | "readToken" | "host" | "webhookSecret" | "limits" | "stateDir" | "login" | "github"
  >,
  deps: { mask: SecretMask; log: Logger; version: string },
): Pick<AppDeps, "auth" | "webhookSecret" | "maxConfBytes" | "spoolDir" | "commitLinks"> & {
  audit: AuditTrail;
} {
  return {
    ...accessSetup(config, deps),
    webhookSecret: config.webhookSecret,
    maxConfBytes: config.limits.maxConfBytes,
    spoolDir: path.join(config.stateDir, "tmp"),
    commitLinks: config.github.web,
  };
}
