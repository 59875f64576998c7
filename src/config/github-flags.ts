import { parseRepoName } from "../github/github-repo.ts";
import { valid } from "./flag-parsers.ts";
import { flag, switchFlag } from "./flags.ts";

/** The GitHub API of github.com; Enterprise servers answer at `https://HOST/api/v3`. */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/** `updraft run`'s flags for commit statuses on GitHub (the token is read from UPDRAFT_GITHUB_TOKEN). */
export const GITHUB_FLAGS = [
  switchFlag({
    name: "github-status",
    description:
      "After every sync, set a commit status (context updraft/dags) on the commit tried: success with the DAG counts, or failure with the first import error. Token: UPDRAFT_GITHUB_TOKEN, --github-token-file, else the git token when the remote is on GitHub.",
  }),
  flag({
    name: "github-token-file",
    description: "File holding the GitHub token for commit statuses (one trailing newline ignored).",
  }),
  flag({
    name: "github-api-url",
    default: DEFAULT_GITHUB_API_URL,
    description: "GitHub API base URL; for GitHub Enterprise https://HOST/api/v3.",
    parse: valid("is not an http(s) URL", (text) => {
      try {
        const url = new URL(text);
        return url.protocol === "https:" || url.protocol === "http:" ? text.replace(/\/+$/, "") : undefined;
      } catch {
        return undefined;
      }
    }),
  }),
  flag({
    name: "github-repo",
    defaultText: "derived from a GitHub --repo URL",
    description: "OWNER/NAME of the repository on GitHub, when the --repo URL does not say it.",
    parse: valid('is not OWNER/NAME (e.g. "acme/dags")', (text) => (parseRepoName(text) ? text : undefined)),
  }),
] as const;
