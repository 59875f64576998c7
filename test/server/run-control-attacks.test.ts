// Attacks on stop and mark (issue #15, points 1-2): prototype ids, odd bodies, races between stop,
// mark, retry-failed and the run's own end.
import { beforeAll, describe, expect, it } from "vitest";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import { finishRunsBeforeStop, gateBeside, waitForGateScript } from "../support/task-gate.ts";
import type { TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");
let daemon: TestDaemon;
let gate: string;

const post = (path: string, body = "") =>
  daemon.request(path, { method: "POST", headers: { "content-type": "application/json" }, body });

async function runningRun(): Promise<string> {
  const triggered = await post("/api/dags/constructor/runs", "{}");
  expect(triggered.status, triggered.text).toBe(201);
  const runId: string = triggered.body.runId;
  await waitFor("the gated task to run", async () => {
    const run = (await daemon.request(`/api/runs/${runId}`)).body;
    return run?.tasks?.[0]?.state === "running" ? true : undefined;
  });
  return runId;
}

beforeAll(async () => {
  const dir = await cleanup.tempDir("control-attacks");
  gate = gateBeside(cleanup, dir);
  const script = waitForGateScript(gate);
  const dags = {
    "constructor.ts": `import { dag, pod } from "updraft";
export default dag({ id: "constructor", schedule: null, tasks: [
  pod({ id: "constructor", image: "busybox:1.36", command: ["node", "-e", ${JSON.stringify(script)}] }),
  pod({ id: "__proto__", image: "busybox:1.36", dependsOn: ["constructor"], command: ["node", "-e", "0"] }),
] });
`,
  };
  ({ daemon } = await startFolderDaemon(cleanup, "control-attacks", dags));
  finishRunsBeforeStop(cleanup, daemon, gate);
}, 60_000);

describe("stop and mark with ids named like Object.prototype properties", () => {
  it.each([
    ["/api/runs/constructor/stop", ""],
    ["/api/runs/__proto__/stop", ""],
    ["/api/runs/toString/mark", '{"state":"failed"}'],
    ["/api/runs/hasOwnProperty/tasks/constructor/mark", '{"state":"success"}'],
  ])("POST %s answers 404 JSON", async (path, body) => {
    const response = await post(path, body);
    expect(response.status, response.text).toBe(404);
    expect(response.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  it("a task id like toString of a real run is a 404; odd mark bodies are 400/413", async () => {
    const runId = await runningRun();
    for (const task of ["toString", "hasOwnProperty", "valueOf"]) {
      const response = await post(`/api/runs/${runId}/tasks/${task}/mark`, '{"state":"success"}');
      expect(response.status, `${task}: ${response.text}`).toBe(404);
    }
    for (const body of [
      "not json",
      '{"state":"running"}',
      '{"state":"success","x":1}',
      "[]",
      "null",
      '"success"',
      '{"__proto__":{"state":"success"}}',
      '{"state":["success"]}',
    ]) {
      const response = await post(`/api/runs/${runId}/mark`, body);
      expect(response.status, `${body}: ${response.text}`).toBe(400);
    }
    const huge = await post(
      `/api/runs/${runId}/mark`,
      JSON.stringify({ state: "success", pad: "x".repeat(2_000_000) }),
    );
    expect(huge.status, huge.text.slice(0, 200)).toBe(413);
    // The task `constructor` marked success: `__proto__` runs, the run succeeds.
    const marked = await post(`/api/runs/${runId}/tasks/constructor/mark`, '{"state":"success"}');
    expect(marked.status, marked.text).toBe(200);
    const done = await waitFor("the run to finish", async () => {
      const run = (await daemon.request(`/api/runs/${runId}`)).body;
      return run?.state === "success" || run?.state === "failed" ? run : undefined;
    });
    expect(done.tasks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ["constructor", "success"],
      ["__proto__", "success"],
    ]);
    const again = await post(`/api/runs/${runId}/tasks/constructor/mark`, '{"state":"failed"}');
    expect(again.status, again.text).toBe(409);
  }, 60_000);

  it("two stops at once: one answers 200, the other 409; retry-failed after it reruns", async () => {
    const runId = await runningRun();
    const [a, b, c] = await Promise.all([
      post(`/api/runs/${runId}/stop`),
      post(`/api/runs/${runId}/stop`),
      post(`/api/runs/${runId}/retry-failed`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect(c.status, c.text).toBe(200);
    // Back in line for its maxActiveRuns slot, then running (the slot is free).
    expect(c.body.state).toBe("queued");
    await waitFor("the retried run to run", async () => {
      return (await daemon.request(`/api/runs/${runId}`)).body?.tasks?.[0]?.state === "running"
        ? true
        : undefined;
    });
    const stopped = await post(`/api/runs/${runId}/stop`);
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.body.reason).toBe("stopped by local user");
  }, 60_000);
});
