// Issue 5 point 9: `kill -9` of a real `updraft run --executor kubernetes` while its task's Pod runs,
// then a restart on the same state dir: the Pod is adopted (never created twice, never retried) and
// followed to completion, its log is complete and has no duplicate lines, its result is recorded.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Cleanup } from "../support/cleanup.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { type RunView, startDaemonProcess, task, POLL } from "../daemon/support/daemon-process.ts";
import { fakeKubeFolders } from "../support/fake-kube/fake-kube-fixture.ts";

const DAG_ID = "adopted";
const TASK_ID = "work";
const FIRST_LINE = "adoption: first line";
const SECOND_LINE = "adoption: second line";

/**
 * One task: prints a line, waits until the test creates `releaseFile`, then prints another line and
 * its result. The test holds the Pod running across the restart, so the restart meets it running.
 */
function adoptionDag(releaseFile: string): string {
  const script = [
    `console.log(${JSON.stringify(FIRST_LINE)});`,
    `const timer = setInterval(() => {`,
    `  if (!require("node:fs").existsSync(${JSON.stringify(releaseFile)})) return;`,
    `  clearInterval(timer);`,
    `  console.log(${JSON.stringify(SECOND_LINE)});`,
    `  console.log('::updraft-result::{"ok":true}');`,
    `}, 50);`,
  ].join(" ");
  return `import { dag, pod } from "updraft";
export default dag({
  id: ${JSON.stringify(DAG_ID)},
  schedule: null,
  tasks: [
    pod({ id: ${JSON.stringify(TASK_ID)}, image: "node:20", command: ${JSON.stringify([process.execPath, "-e", script])} }),
  ],
});
`;
}

/** A run whose tasks show the Pod name (the kubernetes executor sets it). */
type KubeRunView = RunView & { tasks: Array<RunView["tasks"][number] & { podName?: string }> };

/** `updraft run --executor kubernetes` against the fake API server, through KUBECONFIG. */
function startKubeDaemon(
  cleanup: Cleanup,
  options: { dagsDir: string; stateDir: string; kubeconfig: string },
) {
  return startDaemonProcess(cleanup, {
    dagsDir: options.dagsDir,
    stateDir: options.stateDir,
    extraArgs: ["--executor", "kubernetes", "--namespace", "default"],
    // Leader election is on with the kubernetes executor: a restarted container keeps its POD_NAME,
    // so it takes its own lease back at once.
    env: { KUBECONFIG: options.kubeconfig, POD_NAME: "updraft-0" },
  });
}

describe("kill -9 of the daemon while a task's Pod runs (kubernetes executor)", () => {
  // The fake API server is deferred first, so it closes after the daemons talking to it.
  const cleanup = useCleanup();

  it("adopts the running Pod after a restart: one create, try 1, result and complete log", async () => {
    const { fake, dir, dagsDir, stateDir, kubeconfig } = await fakeKubeFolders(cleanup, "kube-adoption");
    const releaseFile = path.join(dir, "release");
    await writeFile(path.join(dagsDir, "adopted.ts"), adoptionDag(releaseFile));

    const first = await startKubeDaemon(cleanup, { dagsDir, stateDir, kubeconfig });
    await waitFor(
      `DAG ${DAG_ID} loaded`,
      async () => {
        const response = await first.request("/api/dags");
        const ids = (response.body as Array<{ id: string }>).map((d) => d.id);
        return ids.includes(DAG_ID) ? true : undefined;
      },
      { ...POLL, details: () => first.output() },
    );
    const triggered = await first.request(`/api/dags/${DAG_ID}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf: {} }),
    });
    expect(triggered.status, triggered.text).toBe(201);
    const runId = (triggered.body as { runId: string }).runId;

    const running = await waitFor(
      "the task running in a Pod",
      async () => {
        const current = (await first.run(runId)) as KubeRunView;
        const t = task(current, TASK_ID) as RunView["tasks"][number] & { podName?: string };
        return t.state === "running" && t.podName ? t : undefined;
      },
      {
        ...POLL,
        details: async () => ({ run: (await first.run(runId)) as KubeRunView, output: first.output() }),
      },
    );
    const podName = running.podName as string;
    // The container has printed its first line: the daemon is killed mid-task, not before it.
    await waitFor(
      "the Pod's container running",
      () => (fake.pod("default", podName)?.status?.phase === "Running" ? true : undefined),
      { ...POLL, details: () => fake.pod("default", podName)?.status },
    );

    await first.kill9();
    expect(fake.pod("default", podName), "the Pod outlives the daemon").toBeDefined();
    const createsBeforeRestart = fake.requests.filter((r) => r.verb === "create" && r.resource === "pods");

    const second = await startKubeDaemon(cleanup, { dagsDir, stateDir, kubeconfig });
    // The restarted daemon re-issues the deterministic create for the running try and meets 409.
    const podCreates = () => fake.requests.filter((r) => r.verb === "create" && r.resource === "pods");
    await waitFor(
      "the restarted daemon's create answered",
      () =>
        podCreates()
          .slice(createsBeforeRestart.length)
          .some((r) => r.code !== undefined)
          ? true
          : undefined,
      { ...POLL, details: () => ({ creates: podCreates(), output: second.output() }) },
    );
    await writeFile(releaseFile, "");
    const done = await waitFor(
      `run ${runId} finished`,
      async () => {
        const current = (await second.run(runId)) as KubeRunView;
        return ["success", "failed"].includes(current.state) ? current : undefined;
      },
      {
        ...POLL,
        details: async () => ({ run: (await second.run(runId)) as KubeRunView, output: second.output() }),
      },
    );
    const diagnostics = JSON.stringify({ run: done, first: first.output(), second: second.output() });
    expect(done.state, diagnostics).toBe("success");
    const finished = task(done, TASK_ID) as RunView["tasks"][number] & { podName?: string };
    expect(finished.state, diagnostics).toBe("success");
    expect(finished.try, "adopted, not retried").toBe(1);
    expect(finished.tries.map((t) => t.try)).toEqual([1]);
    expect(finished.podName).toBe(podName);
    expect(finished.result).toEqual({ ok: true });

    // Exactly one Pod create took effect; the restart's create (if any) was answered 409 AlreadyExists.
    const creates = fake.requests.filter((r) => r.verb === "create" && r.resource === "pods");
    const successful = creates.filter((r) => r.code !== undefined && r.code >= 200 && r.code < 300);
    expect(successful, JSON.stringify(creates.map((r) => ({ code: r.code, path: r.path })))).toHaveLength(1);
    expect(createsBeforeRestart.filter((r) => r.code === 201 || r.code === 200)).toHaveLength(1);
    // The restarted daemon re-issued the deterministic create, got 409 AlreadyExists and adopted.
    expect(creates.slice(createsBeforeRestart.length).map((r) => r.code)).toEqual([409]);
    expect(fake.countRequests({ verb: "create", resource: "pods" })).toBe(creates.length);
    // No other Pod was ever created for this task (the finished Pod itself may have been deleted).
    expect(fake.pods("default").filter((p) => p.metadata?.name !== podName)).toEqual([]);

    const logs = await second.request(`/api/runs/${runId}/tasks/${TASK_ID}/logs?try=1`);
    expect(logs.status, logs.text).toBe(200);
    const lines = logs.text.split("\n");
    expect(
      lines.filter((line) => line.includes(FIRST_LINE)),
      logs.text,
    ).toHaveLength(1);
    expect(
      lines.filter((line) => line.includes(SECOND_LINE)),
      logs.text,
    ).toHaveLength(1);
  }, 90_000);
});
