/** A repository on GitHub (or GitHub Enterprise): `OWNER/NAME`. */
export interface GitHubRepo {
  owner: string;
  name: string;
}

const PART = /^[A-Za-z0-9_.-]{1,100}$/;

/** `OWNER/NAME` (as `--github-repo` takes it), or undefined when it is not one. */
export function parseRepoName(text: string): GitHubRepo | undefined {
  const [owner, name, ...rest] = text.split("/");
  if (rest.length > 0 || owner === undefined || name === undefined) return undefined;
  if (!PART.test(owner) || !PART.test(name) || name === "." || name === "..") return undefined;
  return { owner, name };
}

/**
 * The repository a remote URL names when it is on `host` (github.com, or the Enterprise host):
 * `https://host/OWNER/NAME(.git)`, `ssh://git@host/OWNER/NAME.git`, `git@host:OWNER/NAME.git`.
 */
export function repoFromRemote(remote: string, host: string): GitHubRepo | undefined {
  const scp = /^[^@/\s]+@([^:/\s]+):\/?(.+)$/.exec(remote);
  let remoteHost: string;
  let repoPath: string;
  if (scp && !remote.includes("://")) {
    remoteHost = scp[1] ?? "";
    repoPath = scp[2] ?? "";
  } else {
    try {
      const url = new URL(remote);
      if (!["https:", "http:", "ssh:", "git:"].includes(url.protocol)) return undefined;
      remoteHost = url.hostname;
      repoPath = url.pathname.replace(/^\//, "");
    } catch {
      return undefined;
    }
  }
  if (remoteHost.toLowerCase() !== host.toLowerCase()) return undefined;
  return parseRepoName(repoPath.replace(/\/$/, "").replace(/\.git$/, ""));
}

/**
 * The web host and URL for an API URL: `https://api.github.com` → `https://github.com`,
 * `https://HOST/api/v3` (Enterprise) → `https://HOST`.
 */
export function webUrlOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return url.origin;
}

/** Link to a commit on the web. */
export function commitUrl(web: string, repo: GitHubRepo, sha: string): string {
  return `${web}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/commit/${encodeURIComponent(sha)}`;
}

/** Link to a file as it is at a commit. */
export function fileUrl(web: string, repo: GitHubRepo, sha: string, file: string): string {
  const filePath = file.split("/").map(encodeURIComponent).join("/");
  return `${web}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}/blob/${encodeURIComponent(sha)}/${filePath}`;
}
