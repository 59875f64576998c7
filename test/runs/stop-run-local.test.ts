// Issue 15 point 1: POST /api/runs/:runId/stop on a daemon with the local executor: the running
// process is signalled, tasks not started never start, the run ends failed "stopped by <actor>",
// and the stop is authorised by role and audited.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenHash } from "../../src/access/token-hash.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { killAllWith, pidsWith, uniqueSleepSeconds } from "../support/process-table.ts";
import { startReadyDaemon } from "../support/ready-daemon.ts";
import type { TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");
const MARKER = uniqueSleepSeconds();
const TOKENS = {
  alice: "alice-operator-0123456789abcdef",
  viewer: "viewer-token-0123456789abcdef",
  admin: "admin-token-0123456789abcdef",
};

/** hold runs until stopped; after waits for it; side runs at once and succeeds. */
const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "stoppable", schedule: null, retries: 2, tasks: [
  pod({ id: "hold", image: "busybox:1.36", command: ["sleep", "${MARKER}"] }),
  pod({ id: "after", image: "busybox:1.36", command: ["true"], dependsOn: "hold" }),
  pod({ id: "side", image: "busybox:1.36", command: ["true"] }),
] });
`;

let daemon: TestDaemon;
beforeAll(async () => {
  cleanup.defer(() => killAllWith(MARKER));
  const folders = await daemonFolders(cleanup, "stop-run-", { "stoppable.ts": DAG });
  const tokensFile = path.join(folders.dir, "tokens.yaml");
  await writeFile(
    tokensFile,
    `tokens:
  - { name: alice, role: operator, hash: "${tokenHash(TOKENS.alice)}" }
  - { name: dashboards, role: viewer, hash: "${tokenHash(TOKENS.viewer)}" }
  - { name: ops-bot, role: admin, hash: "${tokenHash(TOKENS.admin)}" }
`,
  );
  daemon = await startReadyDaemon(cleanup, ["--dags", folders.dagsDir, "--tokens-file", tokensFile]);
  await waitFor("the DAG loaded", () => (daemon.daemon.registry.get("stoppable") ? true : undefined));
}, 60_000);

function call(method: string, url: string, token: string, body?: unknown) {
  return daemon.request(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function runningRun(): Promise<string> {
  const created = await call("POST", "/api/dags/stoppable/runs", TOKENS.alice);
  expect(created.status).toBe(201);
  const runId: string = created.body.runId;
  await waitFor("hold to be running", async () => {
    const run = await call("GET", `/api/runs/${runId}`, TOKENS.viewer);
    const side = run.body.tasks.find((t: { id: string }) => t.id === "side");
    return side.state === "success" && (await pidsWith(MARKER)).length > 0 ? true : undefined;
  });
  return runId;
}

describe("POST /api/runs/:runId/stop (local executor)", () => {
  it("signals the running process, never starts the rest, ends the run failed 'stopped by alice', audited", async () => {
    const runId = await runningRun();
    const stopped = await call("POST", `/api/runs/${runId}/stop`, TOKENS.alice);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ id: runId, state: "failed", reason: "stopped by alice" });
    await waitFor("the process to be gone", async () =>
      (await pidsWith(MARKER)).length === 0 ? true : undefined,
    );
    const run = await call("GET", `/api/runs/${runId}`, TOKENS.viewer);
    expect(run.body.state).toBe("failed");
    expect(run.body.reason).toBe("stopped by alice");
    const byId = Object.fromEntries(
      run.body.tasks.map((t: { id: string; state: string; reason: string | null; try: number }) => [t.id, t]),
    );
    expect(byId.hold).toMatchObject({ state: "failed", reason: "stopped by alice", try: 1 });
    expect(byId.after).toMatchObject({
      state: "upstream_failed",
      reason: "not started: stopped by alice",
      try: 0,
    });
    expect(byId.side).toMatchObject({ state: "success", reason: null });
    // The executor's end report for hold came in once its process was gone: no retry (retries: 2), no start of after.
    const later = await call("GET", `/api/runs/${runId}`, TOKENS.viewer);
    expect(later.body.tasks.map((t: { try: number }) => t.try)).toEqual([1, 0, 1]);
    const audit = await call("GET", `/api/audit?action=stop`, TOKENS.admin);
    expect(audit.body).toEqual([
      expect.objectContaining({
        actor: "alice",
        role: "operator",
        via: "token",
        action: "stop",
        target: `run/${runId}`,
        status: 200,
      }),
    ]);
  });

  it("refuses a viewer (403, the run keeps running), an unknown run (404) and a finished run (409)", async () => {
    const runId = await runningRun();
    const refused = await call("POST", `/api/runs/${runId}/stop`, TOKENS.viewer);
    expect(refused.status).toBe(403);
    expect((await call("GET", `/api/runs/${runId}`, TOKENS.viewer)).body.state).toBe("running");
    expect((await pidsWith(MARKER)).length).toBe(1);
    const unknown = await call("POST", "/api/runs/no_such_run/stop", TOKENS.alice);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    expect((await call("POST", `/api/runs/${runId}/stop`, TOKENS.alice)).status).toBe(200);
    const again = await call("POST", `/api/runs/${runId}/stop`, TOKENS.alice);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("is failed");
  });
});

describe("POST /api/runs/:runId/mark and /tasks/:taskId/mark (local executor)", () => {
  it("marks the running task success: its process is signalled, downstream runs, the run succeeds; audited", async () => {
    const runId = await runningRun();
    const marked = await call("POST", `/api/runs/${runId}/tasks/hold/mark`, TOKENS.alice, {
      state: "success",
    });
    expect(marked.status, marked.text).toBe(200);
    await waitFor("the process to be gone", async () =>
      (await pidsWith(MARKER)).length === 0 ? true : undefined,
    );
    const done = await waitFor("the run to succeed", async () => {
      const run = await call("GET", `/api/runs/${runId}`, TOKENS.viewer);
      return run.body.state === "success" ? run.body : undefined;
    });
    expect(done.tasks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ["hold", "success"],
      ["after", "success"],
      ["side", "success"],
    ]);
    expect(done.tasks[0]).toMatchObject({ reason: "marked success by alice", try: 1 });
    const audit = await call("GET", `/api/audit?action=mark`, TOKENS.admin);
    expect(audit.body[0]).toMatchObject({
      actor: "alice",
      action: "mark",
      target: `run/${runId}/task/hold`,
      input: { state: "success" },
      status: 200,
    });
  });

  it("marks a run failed (as a stop, reason 'marked failed by alice'); refuses a bad state (400) and a finished run (409)", async () => {
    const runId = await runningRun();
    const bad = await call("POST", `/api/runs/${runId}/mark`, TOKENS.alice, { state: "running" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('"state": "success" | "failed"');
    expect((await call("GET", `/api/runs/${runId}`, TOKENS.viewer)).body.state).toBe("running");
    const marked = await call("POST", `/api/runs/${runId}/mark`, TOKENS.alice, { state: "failed" });
    expect(marked.status, marked.text).toBe(200);
    expect(marked.body).toMatchObject({ state: "failed", reason: "marked failed by alice" });
    await waitFor("the process to be gone", async () =>
      (await pidsWith(MARKER)).length === 0 ? true : undefined,
    );
    const again = await call("POST", `/api/runs/${runId}/mark`, TOKENS.alice, { state: "success" });
    expect(again.status).toBe(409);
  });
});
