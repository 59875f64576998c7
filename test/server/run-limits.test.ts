// Point 7 of issue 11: a trigger's conf and a DAG's queue of runs are bounded, and state.json
// holds a large conf by reference only.
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { writeFiles } from "../support/dag-folders.ts";
import { waitForReady } from "../support/ready-daemon.ts";
import { finishRunsBeforeStop, gateBeside, waitForGateScript } from "../support/task-gate.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import { activeStateTextOnDisk } from "../support/active-state-on-disk.ts";

const cleanup = useCleanup("file");

/** One run at a time; its task runs until the gate file exists. */
function gatedDag(gate: string): string {
  const wait = waitForGateScript(gate);
  return `import { dag, pod } from "updraft";
export default dag({ id: "one_at_a_time", schedule: null, maxActiveRuns: 1, tasks: [
  pod({ id: "wait", image: "busybox:1.36", command: ["node", "-e", ${JSON.stringify(wait)}] }),
] });
`;
}

let daemon: TestDaemon;
let gate: string;
beforeAll(async () => {
  const dir = await cleanup.tempDir("limits-dags");
  gate = gateBeside(cleanup, dir);
  await writeFiles(dir, { "gated.ts": gatedDag(gate) });
  daemon = await startTestDaemon(cleanup, [
    "--dags",
    dir,
    "--max-queued-runs",
    "2",
    "--max-conf-bytes",
    "4096",
  ]);
  finishRunsBeforeStop(cleanup, daemon, gate);
  await waitForReady(daemon);
}, 60_000);

const trigger = (body: string) =>
  daemon.request("/api/dags/one_at_a_time/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

describe("POST /api/dags/:dagId/runs limits", () => {
  it("refuses a conf over --max-conf-bytes with 413 naming the limit and the flag, and creates no run", async () => {
    const before = daemon.daemon.store.activeRuns().length;
    const response = await trigger(JSON.stringify({ conf: { blob: "x".repeat(5000) } }));
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("payload_too_large");
    expect(response.body.error.message).toContain("4096");
    expect(response.body.error.message).toContain("--max-conf-bytes");
    expect(daemon.daemon.store.activeRuns()).toHaveLength(before);
  });

  it("refuses a body far over the limit with 413 without reading it whole", async () => {
    const response = await trigger(JSON.stringify({ conf: { blob: "x".repeat(2 * 1024 * 1024) } }));
    expect(response.status).toBe(413);
    expect(response.body.error.message).toContain("--max-conf-bytes");
  });

  it("caps queued runs per DAG at --max-queued-runs: over it 429 with the count, no run created", async () => {
    const first = await trigger("{}");
    expect(first.status).toBe(201);
    await waitFor("the first run to be running", async () => {
      const run = await daemon.request(`/api/runs/${first.body.runId}`);
      return run.body.state === "running" ? true : undefined;
    });
    // maxActiveRuns 1: these two stay queued behind the first.
    const conf = { note: "y".repeat(3000) };
    for (let i = 0; i < 2; i++) expect((await trigger(JSON.stringify({ conf }))).status).toBe(201);
    const refused = await trigger("{}");
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("too_many_queued_runs");
    expect(refused.body.error.message).toContain("2 queued runs");
    expect(refused.body.error.message).toContain("--max-queued-runs");
    expect(daemon.daemon.store.activeRuns()).toHaveLength(3);

    // A conf over 1 KiB is stored once in its own file: state.json holds a reference only.
    const state = await activeStateTextOnDisk(daemon.stateDir);
    expect(state).not.toContain("y".repeat(3000));
    const queued = daemon.daemon.store.activeRuns().filter((run) => run.state === "queued");
    expect(queued).toHaveLength(2);
    for (const run of queued) expect(run.conf).toEqual(conf);
    const shown = await daemon.request(`/api/runs/${queued[0]?.id}`);
    expect(shown.body.conf).toEqual(conf);
  });
});
