// Issue 7 point 5: SIGTERM to a real `updraft run --executor kubernetes` while its task's Pod runs.
// It exits 0, leaves the Pod running and the task `running` in its state, and releases the Lease;
// a new replica (another identity) leads at once and adopts the Pod.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { type RunView, task, POLL } from "../daemon/support/daemon-process.ts";
import {
  LEASE_NAME,
  LEASE_NAMESPACE,
  startElectingDaemon,
  waitForRole,
} from "../leader/support/electing-daemons.ts";
import { fakeKubeFolders } from "../support/fake-kube/fake-kube-fixture.ts";
import { activeStateOnDisk } from "../support/active-state-on-disk.ts";

const DAG_ID = "graceful";
const TASK_ID = "work";
// A lease far longer than any wait below: a new identity can only lead this soon if it was released.
const TIMING = { leaseDuration: "120s", renewDeadline: "60s", retryPeriod: "1s" };

/** One task whose container runs until `releaseFile` exists, then prints its result. */
function dagWaitingFor(releaseFile: string): string {
  const script = [
    `const fs = require("node:fs");`,
    `console.log("started");`,
    `const t = setInterval(() => {`,
    `  if (!fs.existsSync(${JSON.stringify(releaseFile)})) return;`,
    `  clearInterval(t);`,
    `  console.log('::updraft-result::{"ok":true}');`,
    `}, 100);`,
  ].join(" ");
  return `import { dag, pod } from "updraft";
export default dag({
  id: ${JSON.stringify(DAG_ID)},
  schedule: null,
  tasks: [pod({ id: ${JSON.stringify(TASK_ID)}, image: "node:20", command: ${JSON.stringify([process.execPath, "-e", script])} })],
});
`;
}

type KubeTaskView = RunView["tasks"][number] & { podName?: string };

describe("SIGTERM (graceful shutdown) with a task's Pod running", () => {
  // The fake API server is deferred first, so it closes after the daemons talking to it.
  const cleanup = useCleanup();

  it("exits 0, leaves the Pod and the running task, releases the lease; the next replica adopts the Pod", async () => {
    const { fake, dir, dagsDir, stateDir, kubeconfig } = await fakeKubeFolders(cleanup, "graceful-shutdown");
    const releaseFile = path.join(dir, "release-the-task");
    await writeFile(path.join(dagsDir, "graceful.ts"), dagWaitingFor(releaseFile));
    const start = (name: string) =>
      startElectingDaemon(cleanup, { name, dagsDir, stateDir, kubeconfig, timing: TIMING });

    const first = await start("updraft-old");
    await waitForRole(first, true);
    await first.waitForDags([DAG_ID]);
    const triggered = await first.post(`/api/dags/${DAG_ID}/runs`, { conf: {} });
    expect(triggered.status, triggered.text).toBe(201);
    const runId = (triggered.body as { runId: string }).runId;
    const running = await first.waitForRun(runId, "its task running in a Pod", (run) => {
      const t = task(run, TASK_ID) as KubeTaskView;
      return t.state === "running" && Boolean(t.podName);
    });
    const podName = (task(running, TASK_ID) as KubeTaskView).podName ?? "";
    await waitFor(
      "the Pod's container running",
      () => (fake.pod("default", podName)?.status?.phase === "Running" ? true : undefined),
      { ...POLL, details: () => fake.pod("default", podName)?.status },
    );

    first.signal("SIGTERM");
    const exit = await first.exited;
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('"reason":"SIGTERM"');
    expect(first.output()).toContain('"msg":"stopped"');
    // The Pod is left running, and the state says the task is running (not failed).
    expect(fake.pod("default", podName)?.status?.phase).toBe("Running");
    const state = await activeStateOnDisk<{
      runs: Record<string, { state: string; tasks: Array<{ id: string; state: string; try: number }> }>;
    }>(stateDir);
    expect(state.runs[runId]?.state).toBe("running");
    expect(state.runs[runId]?.tasks.find((t) => t.id === TASK_ID)).toMatchObject({
      state: "running",
      try: 1,
    });
    // Released: nobody holds the lease.
    expect(fake.lease(LEASE_NAMESPACE, LEASE_NAME)?.spec).toMatchObject({ holderIdentity: "" });
    const createsBefore = fake.requests.filter((r) => r.verb === "create" && r.resource === "pods").length;

    const second = await start("updraft-new");
    await waitForRole(second, true);
    expect(fake.lease(LEASE_NAMESPACE, LEASE_NAME)?.spec).toMatchObject({
      holderIdentity: "updraft-new",
      leaseTransitions: 1,
    });
    await writeFile(releaseFile, "");
    const done = await second.waitForRun(runId, "finished", (run) =>
      ["success", "failed"].includes(run.state),
    );
    const finished = task(done, TASK_ID) as KubeTaskView;
    expect(done.state, JSON.stringify({ done, output: second.output() })).toBe("success");
    expect(finished.try).toBe(1);
    expect(finished.podName).toBe(podName);
    expect(finished.result).toEqual({ ok: true });
    const creates = fake.requests.filter((r) => r.verb === "create" && r.resource === "pods");
    expect(createsBefore).toBe(1);
    // The restart's create of the same deterministic Pod name is a 409: adopted, never created twice.
    expect(creates.slice(createsBefore).map((r) => r.code)).toEqual([409]);
  }, 120_000);
});
