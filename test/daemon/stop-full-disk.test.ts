// Issue 15 point 1 on a full disk: a stop the state store cannot record is answered 503 and leaves
// no trace: its tries were not cancelled, so they are not retried; the run goes on as before.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { FailingStateWriter } from "../support/failing-state-writer.ts";
import { startReadyDaemon } from "../support/ready-daemon.ts";
import { finishRunsBeforeStop, gateBeside, waitForGateScript } from "../support/task-gate.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

describe("a stop on a full disk", () => {
  const cleanup = useCleanup();

  it("is answered 503 and cancels nothing: the try runs on and is not retried", async () => {
    const { dir, dagsDir } = await daemonFolders(cleanup, "stop-full-disk", {});
    const gate = gateBeside(cleanup, dir);
    await writeFile(
      path.join(dagsDir, "held.ts"),
      `import { dag, pod } from "updraft";
export default dag({ id: "held", schedule: null, retries: 2, retryDelay: "1s", tasks: [
  pod({ id: "hold", image: "node:20-alpine", command: ["node", "-e", ${JSON.stringify(waitForGateScript(gate))}] }),
] });
`,
    );
    const writer = new FailingStateWriter();
    const daemon = await startReadyDaemon(cleanup, ["--dags", dagsDir], { stateWriter: writer });
    finishRunsBeforeStop(cleanup, daemon, gate);
    await waitFor("the DAG loaded", () => (daemon.daemon.registry.get("held") ? true : undefined));
    const created = await daemon.request("/api/dags/held/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(created.status, created.text).toBe(201);
    const runId: string = created.body.runId;
    await waitFor("hold to run", async () =>
      (await daemon.request(`/api/runs/${runId}`)).body?.tasks?.[0]?.state === "running" ? true : undefined,
    );

    writer.fail("ENOSPC");
    const stop = await daemon.request(`/api/runs/${runId}/stop`, { method: "POST" });
    expect(stop.status, stop.text).toBe(503);
    writer.succeed();
    await writeFile(gate, "go");
    const run = await waitFor("the run to end by itself", async () => {
      const body = (await daemon.request(`/api/runs/${runId}`)).body;
      return body?.state === "success" || body?.state === "failed" ? body : undefined;
    });
    expect(run.state).toBe("success");
    expect(run.tasks[0]).toMatchObject({ state: "success", try: 1 });
  }, 60_000);
});
