import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { type GitHttpServer, startGitHttpServer } from "../support/git-http-server.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { findSecrets, readTree, tokenForms } from "../support/secret-search.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const GIT_TOKEN = `ghp_${randomBytes(18).toString("hex")}`;
const API_TOKEN = `api_${randomBytes(18).toString("hex")}`;
// Characters JSON and HTML escape: the mask must catch the secret as those texts spell it.
const WEBHOOK_SECRET = `whs_${randomBytes(18).toString("hex")}"&<`;
const SECRETS = [GIT_TOKEN, API_TOKEN, WEBHOOK_SECRET];
const NEEDLES = SECRETS.flatMap((secret) => tokenForms(secret));
/** A TypeScript expression for `secret` that does not spell it (the DAG repo must not hold it). */
const hidden = (secret: string) =>
  `Buffer.from(${JSON.stringify(Buffer.from(secret).toString("hex"))}, "hex").toString()`;

/**
 * What DAG code running as the daemon's user can do: read the daemon's secrets (here from hex, as
 * it would from /proc/<daemon pid>/environ) and throw them, in every form, as an import error.
 */
function environThrowingModule(): string {
  return `import { dag } from "updraft";
const secrets = [${SECRETS.map(hidden).join(", ")}];
const environ = secrets.flatMap((value, i) => [
  \`SECRET_\${i}=\${value}\`,
  \`URL_\${i}=\${encodeURIComponent(value)}\`,
  \`B64_\${i}=\${Buffer.from(value).toString("base64")}\`,
  \`BASIC_\${i}=\${Buffer.from("x-access-token:" + value).toString("base64")}\`,
]);
throw new Error("cannot start, environment was:\\n" + environ.join("\\0"));
export default dag({ id: "never", schedule: null, tasks: [] });
`;
}

/** A DAG whose fields carry the secrets, a task whose result does, and one whose failure reason does. */
function secretFieldsModule(): string {
  const git = hidden(GIT_TOKEN);
  const result = `const s=${hidden(GIT_TOKEN)};console.log("::updraft-result::"+JSON.stringify({s,b:Buffer.from(${hidden(API_TOKEN)}).toString("base64")}))`;
  const badResult = `console.log("::updraft-result::"+${hidden(GIT_TOKEN)})`;
  return `import { dag, pod } from "updraft";
export default dag({
  id: "fields",
  schedule: null,
  description: "clone with " + ${git} + " or " + encodeURIComponent(${hidden(WEBHOOK_SECRET)}),
  owner: Buffer.from(${hidden(API_TOKEN)}).toString("base64"),
  tags: [${hidden(WEBHOOK_SECRET)}],
  tasks: [
    pod({ id: "result", image: "busybox:1.36", command: ["node", "-e", ${JSON.stringify(result)}] }),
    pod({ id: "bad_result", image: "busybox:1.36", command: ["node", "-e", ${JSON.stringify(badResult)}] }),
  ],
});
`;
}

describe("status pages and secrets", () => {
  const cleanup = useCleanup("file");
  let server: GitHttpServer;
  let remote: GitRemote;
  let daemon: TestDaemon;
  let runId: string;
  let host: string;

  beforeAll(async () => {
    const root = await cleanup.tempDir("page-secrets");
    remote = await createGitRemote(root, { "alpha.ts": dagModule("alpha", { echo: "hello from alpha" }) });
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
    expect(findSecrets(NEEDLES, { texts: { page: pages } })).toEqual([]);
  });

  it("masks, in every form, the secrets DAG code read from the daemon's environment: served, stored and logged", async () => {
    const sha = await remote.change("leak the daemon's environment", {
      "leak.ts": environThrowingModule(),
      "fields.ts": secretFieldsModule(),
    });
    await daemon.request("/api/sync", { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    await daemon.waitForSync(sha);
    const triggered = await daemon.request("/api/dags/fields/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(triggered.status, triggered.text).toBe(201);
    const runId: string = triggered.body.runId;
    const run = await waitFor("the run to end", async () => {
      const current = (await daemon.request(`/api/runs/${runId}`)).body;
      return current.state === "success" || current.state === "failed" ? current : undefined;
    });
    const served: string[] = [];
    for (const path of [
      "/api/import-errors",
      "/api/status",
      "/api/dags",
      "/api/dags/fields",
      "/api/syncs",
      `/api/runs/${runId}`,
      "/api/dags/fields/runs",
      "/",
      "/dags/fields",
      `/runs/${runId}`,
    ])
      served.push((await daemon.request(path)).text);
    // State files only: logs are masked as written by the executors, snapshots hold the repo.
    const state = await readTree(daemon.stateDir);
    for (const file of state.keys()) if (!/^(state\.json|runs\/)/.test(file)) state.delete(file);
    expect(state.size).toBeGreaterThan(1);
    expect(findSecrets(NEEDLES, { files: state, texts: { served, logs: daemon.logs } })).toEqual([]);
    const errors = await daemon.importErrors();
    expect(errors.map((e) => e.file)).toEqual(["leak.ts"]);
    expect(errors[0]?.message).toContain("cannot start, environment was:");
    expect(errors[0]?.message).toContain("SECRET_0=***");
    const tasks = new Map<string, { state: string; result: unknown; reason: string | null }>(
      run.tasks.map((t: { id: string }) => [t.id, t]),
    );
    expect(tasks.get("result")).toMatchObject({ state: "success", result: { s: "***", b: "***" } });
    expect(tasks.get("bad_result")?.reason).toContain("not valid JSON");
  });

  it("shows a failed sync's error without the token", async () => {
    server.setToken("rotated-on-the-host");
    await daemon.request("/api/sync", { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    await daemon.waitForStatus("the sync to fail", (status) => status.sync.lastError !== null);
    const pages = await everyPage();
    expect(pages[0]).toMatch(/<dt class="error-text">Last error<\/dt>/);
    expect(findSecrets(NEEDLES, { texts: { page: pages } })).toEqual([]);
  });
});
