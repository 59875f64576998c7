import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { dagModule, throwingModule } from "../support/dag-sources.ts";
import { fakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const TOKEN = "ghp_commitStatusToken0123456789abcdef";
const PUBLIC_URL = "https://updraft.example.com";

// A real daemon follows a real bare repository and reports each commit it tried to the local GitHub
// API. The tests run in order: each is the next push (or restart) and the statuses it must produce.
describe("GitHub commit statuses for every sync", () => {
  const cleanup = useCleanup("file");
  let remote: GitRemote;
  let github: FakeGitHub;
  let daemon: TestDaemon;
  let stateDir: string;
  const daemons: TestDaemon[] = [];
  const postsFor = (sha: string) => github.posts.filter((post) => post.sha === sha);
  const waitForPost = (sha: string) =>
    waitFor(`a commit status for ${sha}`, () => postsFor(sha)[0], {
      details: () => ({ posts: github.posts, requests: github.requests, logs: daemon.logs.slice(-5) }),
    });
  const start = async () => {
    daemon = await startTestDaemon(
      cleanup,
      [
        ...["--repo", remote.bare, "--branch", "main", "--state-dir", stateDir],
        ...["--github-status", "--github-api-url", github.url, "--github-repo", "acme/dags"],
        ...["--public-url", PUBLIC_URL],
      ],
      { env: { UPDRAFT_GITHUB_TOKEN: TOKEN } },
    );
    daemons.push(daemon);
    return daemon;
  };

  beforeAll(async () => {
    const dir = await cleanup.tempDir("github-status");
    stateDir = path.join(dir, "state");
    remote = await createGitRemote(dir, {
      "alpha.ts": dagModule("alpha"),
      "beta.ts": dagModule("beta"),
    });
    github = await fakeGitHub(cleanup, TOKEN);
    await start();
  });

  it("posts success for the first commit, with the token and a link to that sync", async () => {
    const sha = await remote.head();
    const post = await waitForPost(sha);
    expect(post).toMatchObject({ owner: "acme", repo: "dags", authorization: `token ${TOKEN}` });
    expect(post.body).toEqual({
      state: "success",
      context: "updraft/dags",
      description: "2 DAGs loaded (added 2, updated 0, removed 0)",
      target_url: `${PUBLIC_URL}/syncs#sync-${sha.slice(0, 12)}`,
    });
  });

  it("posts failure naming file:line for a push with a broken DAG, and success for its revert", async () => {
    const broken = throwingModule("beta", "settings are not ready");
    const bad = await remote.change("break beta", { "beta.ts": broken.text });
    const failure = await waitForPost(bad);
    expect(failure.body.state).toBe("failure");
    expect(failure.body.context).toBe("updraft/dags");
    expect(failure.body.description).toMatch(new RegExp(`^1 import error: beta\\.ts:${broken.line}\\b`));
    expect(failure.body.description?.length).toBeLessThanOrEqual(140);

    await remote.git("revert", "--no-edit", "HEAD");
    await remote.push();
    const reverted = await remote.head();
    const success = await waitForPost(reverted);
    expect(success.body).toMatchObject({
      state: "success",
      description: "2 DAGs loaded (added 0, updated 1, removed 0)",
    });
  });

  it("retries a 5xx and a secondary rate limit after their Retry-After, and posts once", async () => {
    github.script(
      { status: 502, headers: { "retry-after": "1" }, message: "Server Error" },
      { status: 403, headers: { "retry-after": "1" }, message: "You have exceeded a secondary rate limit" },
    );
    const before = github.requests.length;
    const sha = await remote.change("add gamma", { "gamma.ts": dagModule("gamma") });
    await waitForPost(sha);
    const tries = github.requests.slice(before).filter((request) => request.path.endsWith(sha));
    expect(tries.map((request) => request.answer)).toEqual([502, 403, 201]);
    const [first, second, third] = tries;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(postsFor(sha)).toHaveLength(1);
  });

  it("does not post a commit again after a restart", async () => {
    const head = await remote.head();
    await daemon.stop();
    await start();
    // The restart loads the head again; a later commit's status shows the queue went past it.
    const next = await remote.change("add delta", { "delta.ts": dagModule("delta") });
    await waitForPost(next);
    expect(postsFor(head)).toHaveLength(1);
    expect(new Set(github.posts.map((post) => post.sha)).size).toBe(github.posts.length);
  });

  it("counts the posts in /metrics", async () => {
    const metrics = await daemon.request("/metrics");
    // This daemon (after the restart) posted one status; the one before it retried twice.
    expect(metrics.text).toContain('updraft_github_status_posts_total{result="posted"} 1');
  });

  it("keeps the token out of the log, the state dir, the page and the API", async () => {
    for (const path of ["/", "/api/status", "/api/syncs", "/api/dags", "/metrics"])
      expect((await daemon.request(path)).text, path).not.toContain(TOKEN);
    await daemon.stop();
    const logs = daemons.flatMap((each) => each.logs);
    expect(logs.some((line) => line.includes("commit status posted"))).toBe(true);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join("\n")).not.toContain(TOKEN);
    const files = await readdir(stateDir, { recursive: true, withFileTypes: true });
    for (const file of files.filter((entry) => entry.isFile())) {
      const text = await readFile(path.join(file.parentPath, file.name), "latin1");
      expect(text.includes(TOKEN), path.join(file.parentPath, file.name)).toBe(false);
    }
  });
});
