import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cleanup } from "../support/cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { type GitHttpServer, startGitHttpServer } from "../support/git-http-server.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { findSecrets, tokenForms } from "../support/secret-search.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const GIT_TOKEN = `ghp_${randomBytes(18).toString("hex")}`;
const API_TOKEN = `api_${randomBytes(18).toString("hex")}`;
const WEBHOOK_SECRET = `whs_${randomBytes(18).toString("hex")}`;

describe("status pages and secrets", () => {
  const cleanup = new Cleanup();
  let server: GitHttpServer;
  let daemon: TestDaemon;
  let runId: string;
  let host: string;

  beforeAll(async () => {
    const root = await cleanup.tempDir("page-secrets");
    await createGitRemote(root, { "alpha.ts": dagModule("alpha", { echo: "hello from alpha" }) });
    server = await startGitHttpServer({ projectRoot: root, token: GIT_TOKEN });
    cleanup.defer(() => server.close());
    // Credentials in the URL: the daemon must show the URL without them.
    const url = new URL(server.url("remote.git"));
    host = url.host;
    url.username = "x-access-token";
    url.password = GIT_TOKEN;
    daemon = await startTestDaemon(cleanup, [
      "--repo",
      url.toString(),
      "--branch",
      "main",
      "--api-token",
      API_TOKEN,
      "--webhook-secret",
      WEBHOOK_SECRET,
      "--interval",
      "1h",
    ]);
    const triggered = await daemon.request("/api/dags/alpha/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ conf: { who: "page test" } }),
    });
    expect(triggered.status).toBe(201);
    runId = triggered.body.runId;
    await waitFor("the run to succeed", async () =>
      (await daemon.request(`/api/runs/${runId}`)).body.state === "success" ? true : undefined,
    );
  });
  afterAll(() => cleanup.run());

  async function everyPage(): Promise<string[]> {
    const paths = [
      "/",
      "/dags/alpha",
      `/runs/${runId}`,
      `/runs/${runId}/tasks/main/logs?try=1`,
      "/runs/nope",
    ];
    const texts: string[] = [];
    for (const path of paths) texts.push((await daemon.request(path)).text);
    return texts;
  }

  it("shows the repository without its credentials, and no token or secret on any page", async () => {
    const pages = await everyPage();
    expect(pages[0]).toContain(`http://${host}/remote.git`);
    expect(pages[3]).toContain("hello from alpha");
    const needles = [...tokenForms(GIT_TOKEN), ...tokenForms(API_TOKEN), WEBHOOK_SECRET];
    expect(findSecrets(needles, { texts: { page: pages } })).toEqual([]);
  });

  it("shows a failed sync's error without the token", async () => {
    server.setToken("rotated-on-the-host");
    await daemon.request("/api/sync", { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    await daemon.waitForStatus("the sync to fail", (status) => status.sync.lastError !== null);
    const pages = await everyPage();
    expect(pages[0]).toMatch(/<dt class="error-text">Last error<\/dt>/);
    const needles = [...tokenForms(GIT_TOKEN), ...tokenForms(API_TOKEN), WEBHOOK_SECRET];
    expect(findSecrets(needles, { texts: { page: pages } })).toEqual([]);
  });
});
