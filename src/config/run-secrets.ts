import type { RunConfig } from "./run-config.ts";
import { splitCredentials } from "../sync/credentials.ts";
import { SecretMask } from "../secrets/secret-mask.ts";

/**
 * Every secret `updraft run` holds: the git token (from UPDRAFT_GIT_TOKEN, its file, or the
 * remote URL's password), the API token, the read token, the webhook secret, the OIDC client secret and the GitHub token.
 */
export function runSecrets(
  config: Pick<RunConfig, "source" | "gitToken" | "apiToken" | "readToken" | "webhookSecret"> & {
    login?: Pick<RunConfig["login"], "oidc">;
    github?: Pick<RunConfig["github"], "status">;
  },
): string[] {
  const fromUrl =
    config.source.kind === "git" ? splitCredentials(config.source.repo, undefined).token : undefined;
  return [
    config.gitToken,
    fromUrl,
    config.apiToken,
    config.readToken,
    config.webhookSecret,
    config.login?.oidc?.clientSecret,
    config.github?.status?.token,
  ].filter((secret): secret is string => secret !== undefined && secret !== "");
}

/** The mask of every secret `updraft run` holds. */
export function runSecretMask(config: Parameters<typeof runSecrets>[0]): SecretMask {
  return new SecretMask(runSecrets(config));
}
