import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Cleanup } from "../support/cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { type GitHttpServer, startGitHttpServer } from "../support/git-http-server.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { findSecrets, readTree, tokenForms } from "../support/secret-search.ts";
import type { TestDaemon } from "../support/test-daemon.ts";
import { startTestDaemon } from "../support/test-daemon.ts";

const TOKEN = `ghp_${randomBytes(18).toString("hex")}`;

describe("a private repository over HTTP", () => {
  const suite = new Cleanup();
  const cleanup = new Cleanup();
  let remote: GitRemote;
  let server: GitHttpServer;
  let repoUrl: string;

  beforeAll(async () => {
    const root = await suite.tempDir("private");
    remote = await createGitRemote(root, { "alpha.ts": dagModule("alpha") });
    server = await startGitHttpServer({ projectRoot: root, token: TOKEN });
    suite.defer(() => server.close());
    repoUrl = server.url("remote.git");
  });
  afterEach(async () => {
    server.setToken(TOKEN);
    await cleanup.run();
  });
  afterAll(() => suite.run());

  /** Reads every API endpoint that shows sync state, so their bodies are among the responses searched. */
  async function readEveryEndpoint(daemon: TestDaemon): Promise<void> {
    for (const path of [
      "/api/status",
      "/api/syncs",
      "/api/dags",
      "/api/import-errors",
      "/healthz",
      "/readyz",
    ]) {
      await daemon.request(path);
    }
    for (const dag of await daemon.dags()) await daemon.request(`/api/dags/${dag.id}`);
  }

  /** Searches the state dir, the captured log and every API response for the token. */
  async function expectNoLeak(daemon: TestDaemon, secret = TOKEN): Promise<void> {
    await daemon.waitForIdle();
    await readEveryEndpoint(daemon);
    const files = await readTree(daemon.stateDir);
    // The search covers what matters: the mirror's config and the askpass helper are in it.
    expect([...files.keys()]).toEqual(expect.arrayContaining(["git/mirror.git/config", "git/askpass.sh"]));
    expect(daemon.logs.length).toBeGreaterThan(0);
    expect(daemon.responses.length).toBeGreaterThanOrEqual(8);
    const leaks = findSecrets(tokenForms(secret), {
      files,
      texts: { log: daemon.logs, response: daemon.responses },
    });
    expect(leaks).toEqual([]);
  }

  it("syncs with UPDRAFT_GIT_TOKEN and writes the token nowhere", async () => {
    const daemon = await startTestDaemon(cleanup, ["--repo", repoUrl, "--branch", "main"], {
      env: { UPDRAFT_GIT_TOKEN: TOKEN },
    });
    expect((await daemon.status()).sync.lastAppliedCommit?.sha).toBe(await remote.head());
    const next = await remote.change("add beta", { "beta.ts": dagModule("beta") });
    await daemon.requestSync();
    expect(await daemon.waitForSync(next)).toMatchObject({ ok: true, changes: { added: ["beta"] } });
    await daemon.waitForIdle();

    // The host asked for credentials and got the token.
    expect(server.requests.some((r) => !r.authorized)).toBe(true);
    expect(server.requests.some((r) => r.authorized)).toBe(true);
    const files = await readTree(daemon.stateDir);
    expect(files.get("git/mirror.git/config")?.toString()).toContain(`url = ${repoUrl}`);
    expect((await daemon.status()).sync.repo).toBe(repoUrl);
    await expectNoLeak(daemon);
  });

  it("shows the error of a wrong token, keeps the last good DAGs, and recovers once the token is right", async () => {
    const daemon = await startTestDaemon(cleanup, ["--repo", repoUrl, "--branch", "main"], {
      env: { UPDRAFT_GIT_TOKEN: TOKEN },
    });
    const good = (await daemon.status()).sync.lastAppliedCommit?.sha;
    expect(good).toBe(await remote.head());
    const servedBefore = (await daemon.dags()).map((d) => [d.id, d.commit]);

    // The host stops accepting the daemon's token (rotated or revoked).
    server.setToken(`ghp_${randomBytes(18).toString("hex")}`);
    const next = await remote.change("edit alpha", { "alpha.ts": dagModule("alpha", { echo: "v2" }) });
    await daemon.requestSync();
    const failing = await daemon.waitForStatus("the authentication error", (s) => s.sync.lastError !== null);
    expect(failing.sync.lastError).toMatch(/authentication failed/i);
    expect(failing.sync.lastAppliedCommit?.sha).toBe(good);
    expect((await daemon.syncs()).at(-1)).toMatchObject({ ok: false, sha: null });
    expect((await daemon.dags()).map((d) => [d.id, d.commit])).toEqual(servedBefore);
    expect((await daemon.request("/healthz")).status).toBe(200);
    await expectNoLeak(daemon);

    server.setToken(TOKEN);
    await daemon.requestSync();
    await daemon.waitForSync(next);
    expect((await daemon.status()).sync.lastError).toBeNull();
    expect((await daemon.dag("alpha")).definition.tasks[0]?.command).toEqual(["echo", "v2"]);
  });

  it("starts without exiting when the token is wrong from the start, and shows why", async () => {
    const wrong = `ghp_${randomBytes(18).toString("hex")}`;
    const daemon = await startTestDaemon(cleanup, ["--repo", repoUrl, "--branch", "main"], {
      env: { UPDRAFT_GIT_TOKEN: wrong },
    });
    const { sync } = await daemon.status();
    expect(sync.lastError).toMatch(/authentication failed/i);
    expect(sync.lastAppliedCommit).toBeNull();
    expect((await daemon.request("/readyz")).status).toBe(503);
    expect((await daemon.request("/healthz")).status).toBe(200);
    await expectNoLeak(daemon, wrong);
  });

  it("takes a token given inside the URL, and shows and stores the URL without it", async () => {
    const withToken = repoUrl.replace("http://", `http://x-access-token:${TOKEN}@`);
    const daemon = await startTestDaemon(cleanup, ["--repo", withToken, "--branch", "main"]);
    const { sync } = await daemon.status();
    expect(sync.repo).toBe(repoUrl);
    expect(sync.lastAppliedCommit?.sha).toBe(await remote.head());
    expect(sync.lastError).toBeNull();
    const files = await readTree(daemon.stateDir);
    expect(files.get("git/mirror.git/config")?.toString()).toContain(`url = ${repoUrl}\n`);

    // A failure's message is shown too, and must not carry the token either.
    server.setToken(`ghp_${randomBytes(18).toString("hex")}`);
    const next = await remote.change("edit alpha again", { "alpha.ts": dagModule("alpha", { echo: "v3" }) });
    await daemon.requestSync();
    await daemon.waitForStatus("the authentication error", (s) => s.sync.lastError !== null);
    await expectNoLeak(daemon);

    server.setToken(TOKEN);
    await daemon.requestSync();
    await daemon.waitForSync(next);
    await expectNoLeak(daemon);
  });
});
