// The bundled example DAGs run end to end by a real `updraft run` child process with the local
// executor: real task processes, real HTTP on 127.0.0.1.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import {
  copyExampleDags,
  type DaemonProcess,
  logDir,
  type RunView,
  runTriggerCli,
  startDaemonProcess,
  task,
} from "./support/daemon-process.ts";

const TEMPLATE_ERROR_DAG = `import { dag, pod } from "updraft";
export default dag({
  id: "template_error",
  schedule: null,
  tasks: [
    pod({ id: "render", image: "node:20-alpine", command: ["node", "-e", "console.log(process.argv[1])"], args: ["{{ nope }}"] }),
    pod({ id: "after", image: "node:20-alpine", dependsOn: ["render"], command: ["node", "-e", "console.log('after')"] }),
  ],
});
`;

describe("updraft run on the example DAGs", () => {
  const cleanup = useCleanup("file");
  let daemon: DaemonProcess;

  beforeAll(async () => {
    const dir = await cleanup.tempDir("daemon-examples");
    const dagsDir = await copyExampleDags(dir, { "template_error.ts": TEMPLATE_ERROR_DAG });
    daemon = await startDaemonProcess(cleanup, { dagsDir, stateDir: path.join(dir, "state") });
    await daemon.waitForDags(["etl_orders", "resilience", "node_jobs", "template_error"]);
  });

  async function trigger(dagId: string, conf?: Record<string, unknown>): Promise<string> {
    const response = await daemon.post(`/api/dags/${dagId}/runs`, conf === undefined ? undefined : { conf });
    expect(response.status, response.text).toBe(201);
    expect(response.body.runId).toEqual(expect.any(String));
    return response.body.runId as string;
  }
  const finished = (runId: string): Promise<RunView> =>
    daemon.waitForRun(runId, "finished", (run) => run.state === "success" || run.state === "failed");
  const logOf = async (runId: string, taskId: string, tryNumber?: number) => {
    const query = tryNumber === undefined ? "" : `?try=${tryNumber}`;
    const response = await daemon.request(`/api/runs/${runId}/tasks/${taskId}/logs${query}`);
    expect(response.status, response.text).toBe(200);
    return response.text;
  };

  it("runs etl_orders: extract's result reaches the API and the downstream tasks", async () => {
    const runId = await trigger("etl_orders");
    const run = await finished(runId);
    expect(run.state, JSON.stringify(run.tasks)).toBe("success");
    expect(run.trigger).toBe("manual");
    for (const id of ["extract", "totals_by_region", "totals_by_day", "load"])
      expect(task(run, id), id).toMatchObject({ state: "success", try: 1, exitCode: 0 });
    expect(task(run, "extract").result).toMatchObject({
      orders: 42,
      day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(await logOf(runId, "totals_by_region")).toContain("totals by region for 42 orders");
    expect(await logOf(runId, "load")).toContain(`report of 42 orders loaded for run ${runId}`);
  });

  it("serves a try's log as text and answers 404 JSON for a try that never ran", async () => {
    const runId = await trigger("etl_orders");
    await finished(runId);
    const response = await daemon.request(`/api/runs/${runId}/tasks/extract/logs?try=1`);
    expect(response.status).toBe(200);
    const onDisk = await readFile(
      path.join(logDir(daemon.stateDir, "etl_orders", runId, "extract"), "try-1.log"),
      "utf8",
    );
    expect(response.text).toBe(onDisk);
    expect(response.text).toMatch(/^\[updraft\] local executor: image "node:20-alpine" is not used/);
    expect(response.text).toContain("::updraft-result::");
    expect(await logOf(runId, "extract")).toBe(onDisk);

    const missing = await daemon.request(`/api/runs/${runId}/tasks/extract/logs?try=9`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "not_found", message: expect.stringContaining("9") });
    const noTask = await daemon.request(`/api/runs/${runId}/tasks/nope/logs`);
    expect(noTask.status).toBe(404);
    expect(noTask.body.error.code).toBe("not_found");
  });

  it("runs resilience: a retry that succeeds on try 2, a 2 s timeout, an all_done cleanup", async () => {
    const runId = await trigger("resilience");
    const run = await finished(runId);
    expect(run.state, JSON.stringify(run.tasks)).toBe("failed");

    const flaky = task(run, "flaky");
    expect(flaky).toMatchObject({ state: "success", try: 2, exitCode: 0 });
    expect(flaky.tries).toHaveLength(2);
    expect(flaky.tries[0]).toMatchObject({ try: 1, state: "failed", exitCode: 3, reason: "exit code 3" });
    expect(flaky.tries[1]).toMatchObject({ try: 2, state: "success", exitCode: 0 });
    expect(await logOf(runId, "flaky", 1)).toContain("try 1");
    expect(await logOf(runId, "flaky", 2)).toContain("try 2");

    const slow = task(run, "slow");
    expect(slow).toMatchObject({ state: "failed", try: 1, reason: "timed out after 2s" });
    expect(await logOf(runId, "slow")).toContain("sleeping 60s");

    expect(task(run, "cleanup")).toMatchObject({ state: "success", try: 1 });
    expect(await logOf(runId, "cleanup")).toContain("cleaning up after flaky and slow");
  });

  it("passes --conf from `updraft trigger` to node_jobs' arguments", async () => {
    const conf = { k: 1, who: "e2e" };
    const cli = await runTriggerCli(["node_jobs", "--conf", JSON.stringify(conf), "--server", daemon.url]);
    expect(cli.code, cli.stderr).toBe(0);
    const runId = cli.stdout.trim();
    expect(runId).toMatch(/^node_jobs__manual__/);
    const run = await finished(runId);
    expect(run.state, JSON.stringify(run.tasks)).toBe("success");
    expect(run.conf).toEqual(conf);
    expect(await logOf(runId, "test_task")).toContain(`nodejobs started with conf ${JSON.stringify(conf)}`);
  });

  it("clears a task: it runs again with the next try number, and so does its downstream", async () => {
    const runId = await trigger("etl_orders");
    expect((await finished(runId)).state).toBe("success");

    const cleared = await daemon.post(`/api/runs/${runId}/tasks/totals_by_day/clear`);
    expect(cleared.status, cleared.text).toBe(200);
    const run = await daemon.waitForRun(
      runId,
      "totals_by_day and load ran again",
      (r) => r.state !== "running" && task(r, "load").try === 2 && task(r, "totals_by_day").try === 2,
    );
    expect(run.state, JSON.stringify(run.tasks)).toBe("success");
    expect(task(run, "totals_by_day")).toMatchObject({ state: "success", try: 2 });
    expect(task(run, "load")).toMatchObject({ state: "success", try: 2 });
    expect(task(run, "extract")).toMatchObject({ state: "success", try: 1 });
    expect(task(run, "totals_by_region")).toMatchObject({ state: "success", try: 1 });
    expect(await logOf(runId, "load", 2)).toContain("report of 42 orders loaded");
    expect(await logOf(runId, "load", 1)).toContain("report of 42 orders loaded");
  });

  it("refuses to trigger a paused DAG with 409", async () => {
    const paused = await daemon.post("/api/dags/node_jobs/pause");
    expect(paused.status, paused.text).toBe(200);
    try {
      const response = await daemon.post("/api/dags/node_jobs/runs", { conf: {} });
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({
        code: "paused",
        message: expect.stringContaining("node_jobs"),
      });
      const dags = await daemon.request("/api/dags");
      expect(dags.body.find((dag: { id: string }) => dag.id === "node_jobs")).toMatchObject({ paused: true });
    } finally {
      expect((await daemon.post("/api/dags/node_jobs/unpause")).status).toBe(200);
    }
  });

  it("is healthy and ready while it runs", async () => {
    const health = await daemon.request("/healthz");
    expect(health.status, health.text).toBe(200);
    expect(health.body.status).toBe("ok");
    expect((await daemon.request("/readyz")).status).toBe(200);
  });

  it("answers 404 for an unknown DAG or run", async () => {
    const response = await daemon.post("/api/dags/no_such_dag/runs", { conf: {} });
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("no_such_dag"),
    });
    const run = await daemon.request("/api/runs/no_such_run");
    expect(run.status).toBe(404);
    expect(run.body.error.code).toBe("not_found");
  });

  it("fails a task whose template names an unknown variable, naming it", async () => {
    const runId = await trigger("template_error");
    const run = await finished(runId);
    expect(run.state).toBe("failed");
    const render = task(run, "render");
    expect(render.state).toBe("failed");
    expect(render.reason).toContain("nope");
    expect(task(run, "after").state).toBe("upstream_failed");
  });
});
