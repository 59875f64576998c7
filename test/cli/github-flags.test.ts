import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoFromRemote, webUrlOf } from "../../src/github/github-repo.ts";
import { runSecrets } from "../../src/config/run-secrets.ts";
import { spawnCli } from "../daemon/support/daemon-process.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { config, usageError } from "./run-config-helpers.ts";

const TOKEN = "ghp_flagTestToken0123456789";

describe("--github-status and its flags", () => {
  const cleanup = useCleanup();

  it("reads the repository from a github.com remote URL, https or ssh", () => {
    for (const remote of [
      "https://github.com/acme/dags.git",
      "https://x-access-token:secret@github.com/acme/dags",
      "git@github.com:acme/dags.git",
      "ssh://git@github.com/acme/dags.git",
    ])
      expect(repoFromRemote(remote, "github.com"), remote).toEqual({
        owner: "acme",
        name: "dags",
      });
    expect(repoFromRemote("https://gitlab.com/acme/dags.git", "github.com")).toBeUndefined();
    expect(repoFromRemote("/srv/git/dags.git", "github.com")).toBeUndefined();
    expect(repoFromRemote("https://github.com/acme/dags/extra", "github.com")).toBeUndefined();
    expect(repoFromRemote("git@ghe.example:team/dags.git", "ghe.example")).toEqual({
      owner: "team",
      name: "dags",
    });
  });

  it("derives the web URL from the API URL, Enterprise included", () => {
    expect(webUrlOf("https://api.github.com")).toBe("https://github.com");
    expect(webUrlOf("https://ghe.example/api/v3")).toBe("https://ghe.example");
  });

  it("posts with UPDRAFT_GITHUB_TOKEN, else the git token of a github.com remote, and masks it", () => {
    const own = config(["--repo", "https://github.com/acme/dags.git", "--github-status"], {
      UPDRAFT_GITHUB_TOKEN: TOKEN,
    });
    expect(own.github.status).toEqual({
      apiUrl: "https://api.github.com",
      repo: { owner: "acme", name: "dags" },
      token: TOKEN,
    });
    expect(runSecrets(own)).toContain(TOKEN);
    const git = config(["--repo", "git@github.com:acme/dags.git", "--github-status"], {
      UPDRAFT_GIT_TOKEN: TOKEN,
    });
    expect(git.github.status?.token).toBe(TOKEN);
    expect(git.github.web).toEqual({ url: "https://github.com", repo: { owner: "acme", name: "dags" } });
  });

  it("reads the token from --github-token-file", async () => {
    const file = path.join(await cleanup.tempDir("gh-token"), "token");
    await writeFile(file, `${TOKEN}\n`);
    const read = config([
      "--repo",
      "/srv/dags.git",
      "--github-status",
      "--github-repo",
      "acme/dags",
      "--github-token-file",
      file,
    ]);
    expect(read.github.status?.token).toBe(TOKEN);
    expect(runSecrets(read)).toContain(TOKEN);
  });

  it("needs the repository and a token, and says which flag gives them", () => {
    expect(
      usageError(() =>
        config(["--repo", "/srv/dags.git", "--github-status"], { UPDRAFT_GITHUB_TOKEN: TOKEN }),
      ),
    ).toBe(
      "--github-status: the --repo URL is not on github.com, so the repository is unknown; give --github-repo OWNER/NAME",
    );
    // Not a github.com remote: its git token is not GitHub's.
    expect(
      usageError(() =>
        config(["--repo", "/srv/dags.git", "--github-status", "--github-repo", "acme/dags"], {
          UPDRAFT_GIT_TOKEN: TOKEN,
        }),
      ),
    ).toMatch(/^--github-status needs a token .*UPDRAFT_GITHUB_TOKEN.*--github-token-file/);
    expect(config(["--repo", "/srv/dags.git"]).github).toEqual({ web: undefined, status: undefined });
  });

  it("exits 2 naming --github-repo when `updraft run --github-status` cannot tell the repository", async () => {
    const cli = spawnCli(cleanup, ["run", "--repo", "/srv/dags.git", "--github-status"], {
      UPDRAFT_GITHUB_TOKEN: TOKEN,
    });
    expect((await cli.exited).code).toBe(2);
    expect(cli.output()).toContain("give --github-repo OWNER/NAME");
  });
});
