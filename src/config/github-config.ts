import { type GitHubRepo, parseRepoName, repoFromRemote, webUrlOf } from "../github/github-repo.ts";
import { splitCredentials } from "../sync/credentials.ts";
import { type Env, UsageError } from "./flags.ts";
import type { RunFlagValues } from "./run-flags.ts";
import type { RunSource } from "./run-config.ts";
import { secretFrom } from "./secret-files.ts";

/** Where the followed repository is on GitHub's web pages (links on the status page). */
export interface GitHubWeb {
  /** `https://github.com`, or the Enterprise host. */
  url: string;
  repo: GitHubRepo;
}

/** `--github-status`: where and as whom commit statuses are posted. */
export interface GitHubStatusConfig {
  apiUrl: string;
  repo: GitHubRepo;
  token: string;
}

export interface GitHubConfig {
  web: GitHubWeb | undefined;
  status: GitHubStatusConfig | undefined;
}

/**
 * The GitHub flags together: the repository from `--github-repo` or the remote URL, the token
 * from UPDRAFT_GITHUB_TOKEN, `--github-token-file` or (remote on GitHub) the git token.
 */
export function githubConfigFrom(
  values: RunFlagValues,
  env: Env,
  source: RunSource,
  gitToken: string | undefined,
): GitHubConfig {
  const apiUrl = values["github-api-url"];
  const webUrl = webUrlOf(apiUrl);
  const host = new URL(webUrl).hostname;
  const given = values["github-repo"];
  const remote = source.kind === "git" ? splitCredentials(source.repo, gitToken) : undefined;
  const fromRemote = remote ? repoFromRemote(remote.url, host) : undefined;
  const repo = given === undefined ? fromRemote : parseRepoName(given);
  const web = repo ? { url: webUrl, repo } : undefined;
  const ownToken = secretFrom(env.UPDRAFT_GITHUB_TOKEN || undefined, values["github-token-file"], {
    value: "UPDRAFT_GITHUB_TOKEN",
    file: "--github-token-file",
  });
  if (!values["github-status"]) return { web, status: undefined };
  if (!repo)
    throw new UsageError(
      `--github-status: the --repo URL is not on ${host}, so the repository is unknown; give --github-repo OWNER/NAME`,
    );
  const token = ownToken ?? (fromRemote ? remote?.token : undefined);
  if (!token)
    throw new UsageError(
      "--github-status needs a token with the repo:status scope: set UPDRAFT_GITHUB_TOKEN or give --github-token-file",
    );
  return { web, status: { apiUrl, repo, token } };
}
