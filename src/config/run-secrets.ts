import type { RunConfig } from "./run-config.ts";
import { splitCredentials } from "../sync/credentials.ts";
import { SecretMask } from "../secrets/secret-mask.ts";
import { channelUrlSecrets, smtpSecrets } from "./notify-config.ts";

/**
 * Every secret `updraft run` holds: the git token (from UPDRAFT_GIT_TOKEN, its file, or the
 * remote URL's password), the API token, the read token, the webhook secret, the OIDC client secret, the GitHub token, the SMTP URL (and its password) and the daemon-wide Slack and webhook URLs.
 */
export function runSecrets(
  config: Pick<RunConfig, "source" | "gitToken" | "apiToken" | "readToken" | "webhookSecret"> & {
    login?: Pick<RunConfig["login"], "oidc">;
    github?: Pick<RunConfig["github"], "status">;
    notify?: Pick<RunConfig["notify"], "smtpUrl"> & Partial<Pick<RunConfig["notify"], "defaults">>;
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
    ...smtpSecrets(config.notify?.smtpUrl),
    ...channelUrlSecrets(config.notify?.defaults ?? []),
  ].filter((secret): secret is string => secret !== undefined && secret !== "");
}

/** The mask of every secret `updraft run` holds. */
export function runSecretMask(config: Parameters<typeof runSecrets>[0]): SecretMask {
  return new SecretMask(runSecrets(config));
}
