import path from "node:path";
import type { RunConfig } from "../config/run-config.ts";
import { TokenRegistry } from "../access/tokens-file.ts";
import type { AppDeps } from "../server/app-deps.ts";

/** What the HTTP layer takes straight from `updraft run`'s flags. */
export function serverSettings(
  config: Pick<
    RunConfig,
    "apiToken" | "readToken" | "host" | "webhookSecret" | "limits" | "stateDir" | "login"
  >,
): Pick<AppDeps, "auth" | "webhookSecret" | "maxConfBytes" | "spoolDir"> {
  const { login } = config;
  return {
    auth: {
      apiToken: config.apiToken,
      readToken: config.readToken,
      listensOnLoopback: isLoopback(config.host),
      tokens: login.tokensFile === undefined ? undefined : TokenRegistry.fromFile(login.tokensFile),
      metricsAuth: login.metricsAuth,
      publicOrigin: login.publicUrl,
    },
    webhookSecret: config.webhookSecret,
    maxConfBytes: config.limits.maxConfBytes,
    spoolDir: path.join(config.stateDir, "tmp"),
  };
}

/** `--host` names a loopback address: writes without a token are allowed from this machine only. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
