import { describe, expect, it } from "vitest";
import { CommitStatusClient, retryAfterMs } from "../../src/github/commit-status-client.ts";
import { fakeGitHub } from "../support/fake-github.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const TOKEN = "ghp_clientTestToken0123456789";
const SHA = "a".repeat(40);
const NOW = Date.parse("2026-12-05T10:00:00Z");

// The real client against the local GitHub API; only the waits are recorded instead of slept.
describe("CommitStatusClient", () => {
  const cleanup = useCleanup();
  const setup = async (options: { token?: string; maxAttempts?: number; requestTimeoutMs?: number } = {}) => {
    const github = await fakeGitHub(cleanup, TOKEN);
    const waits: number[] = [];
    const client = new CommitStatusClient({
      apiUrl: github.url,
      repo: { owner: "acme", name: "dags" },
      token: options.token ?? TOKEN,
      now: () => NOW,
      sleep: async (ms) => {
        waits.push(ms);
      },
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
    const post = () =>
      client.post(
        { sha: SHA, state: "success", description: "1 DAG loaded", targetUrl: "https://u.example/#sync-x" },
        new AbortController().signal,
      );
    return { github, waits, post };
  };

  it("posts the status with the token, context updraft/dags and the target URL", async () => {
    const { github, post } = await setup();
    expect(await post()).toBe("posted");
    expect(github.posts).toEqual([
      {
        owner: "acme",
        repo: "dags",
        sha: SHA,
        authorization: `token ${TOKEN}`,
        body: {
          state: "success",
          context: "updraft/dags",
          description: "1 DAG loaded",
          target_url: "https://u.example/#sync-x",
        },
      },
    ]);
  });

  it("retries a 5xx after its Retry-After, and backs off without one", async () => {
    const { github, waits, post } = await setup();
    github.script({ status: 503, headers: { "retry-after": "7" } }, { status: 500 }, { status: 502 });
    expect(await post()).toBe("posted");
    expect(waits).toEqual([7_000, 4_000, 8_000]);
    expect(github.posts).toHaveLength(1);
  });

  it("waits out a secondary rate limit: 403 with Retry-After, 429, and 403 with x-ratelimit-remaining 0", async () => {
    const { github, waits, post } = await setup();
    const reset = String(NOW / 1000 + 90);
    github.script(
      { status: 403, headers: { "retry-after": "30" }, message: "You have exceeded a secondary rate limit" },
      { status: 429, headers: { "retry-after": "5" } },
      { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } },
    );
    expect(await post()).toBe("posted");
    expect(waits).toEqual([30_000, 5_000, 90_000]);
  });

  it("caps a Retry-After at 10 minutes", async () => {
    const { github, waits, post } = await setup();
    github.script({ status: 503, headers: { "retry-after": "86400" } });
    expect(await post()).toBe("posted");
    expect(waits).toEqual([600_000]);
  });

  it("gives up after the bound", async () => {
    const { github, waits, post } = await setup({ maxAttempts: 3 });
    github.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    expect(await post()).toBe("gave_up");
    expect(waits).toHaveLength(2);
    expect(github.posts).toEqual([]);
  });

  it("does not retry 401, 404, a plain 403 or a 422", async () => {
    const wrongToken = await setup({ token: "ghp_wrongToken000000" });
    expect(await wrongToken.post()).toBe("unauthorized");
    const { github, waits, post } = await setup();
    github.script({ status: 404 }, { status: 403, message: "Resource not accessible" }, { status: 422 });
    expect([await post(), await post(), await post()]).toEqual(["not_found", "rejected", "rejected"]);
    expect(waits).toEqual([]);
    expect(wrongToken.waits).toEqual([]);
  });

  it("retries when the server cannot be reached", async () => {
    const waits: number[] = [];
    const client = new CommitStatusClient({
      apiUrl: "http://127.0.0.1:1",
      repo: { owner: "acme", name: "dags" },
      token: TOKEN,
      now: () => NOW,
      maxAttempts: 2,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const result = await client.post(
      { sha: SHA, state: "failure", description: "x" },
      new AbortController().signal,
    );
    expect(result).toBe("gave_up");
    expect(waits).toEqual([2_000]);
  });

  it("ends a request GitHub never answers and tries again", async () => {
    const { github, waits, post } = await setup({ requestTimeoutMs: 200 });
    github.script({ status: 0, hang: true });
    expect(await post()).toBe("posted");
    expect(github.requests.map((request) => request.answer)).toEqual([0, 201]);
    expect(waits).toEqual([2_000]);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3", NOW)).toBe(3_000);
    expect(retryAfterMs(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    expect(retryAfterMs("soon", NOW)).toBeUndefined();
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
  });
});
