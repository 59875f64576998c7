// Issue 5 points 4 and 7 through the scheduler: an evicted Pod fails its try and the retry policy
// starts try 2 as a new Pod; a `timeout` deletes the Pod and fails the try; no Pod is left behind.
import { afterAll, describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer, writeKubeconfig } from "../support/fake-kube/fake-kube-fixture.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import { daemonFolders } from "../support/dag-folders.ts";

interface TaskView {
  id: string;
  state: string;
  try: number;
  reason?: string | null;
  podName?: string;
  tries: Array<{ try: number; state: string; reason?: string | null }>;
}
interface RunView {
  state: string;
  tasks: TaskView[];
}

const savedKubeconfig = process.env.KUBECONFIG;
const kube = useFakeKubeServer({ namespaces: ["default"] });
afterAll(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

const cleanup = useCleanup();

/** A daemon with `--executor kubernetes` on the fake, over a DAGs folder holding `source`. */
async function daemonWith(source: string): Promise<TestDaemon> {
  const { dir, dagsDir } = await daemonFolders(cleanup, "daemon-pods", { "dag.ts": source });
  process.env.KUBECONFIG = await writeKubeconfig(kube, dir);
  const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--executor", "kubernetes"]);
  await waitFor("the DAG loaded", async () => ((await daemon.dags()).length === 1 ? true : undefined));
  return daemon;
}

async function trigger(daemon: TestDaemon, dagId: string): Promise<string> {
  const response = await daemon.request(`/api/dags/${dagId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(response.status, response.text).toBe(201);
  return (response.body as { runId: string }).runId;
}

const runOf = async (daemon: TestDaemon, runId: string) =>
  (await daemon.request(`/api/runs/${runId}`)).body as RunView;

describe("the scheduler over the Kubernetes executor", () => {
  it("retries an evicted try per the retry policy: try 2 is a new Pod and succeeds", async () => {
    const script = `if (process.env.UPDRAFT_TRY_NUMBER === "1") { console.log("try 1 waits"); setInterval(() => {}, 1000); } else { console.log("try 2 done"); }`;
    const daemon = await daemonWith(`import { dag, pod } from "updraft";
export default dag({ id: "evicted", schedule: null, retries: 1, retryDelay: "1s", tasks: [
  pod({ id: "work", image: "node:20", command: ${JSON.stringify([process.execPath, "-e", script])} }),
] });
`);
    const runId = await trigger(daemon, "evicted");
    const first = podNameFor({ dagId: "evicted", runId, taskId: "work", try: 1 });
    await waitFor("try 1 running in its Pod", () =>
      kube.pod("default", first)?.status.phase === "Running" ? true : undefined,
    );
    kube.evict("default", first);
    const done = await waitFor(
      "the run to end",
      async () => {
        const run = await runOf(daemon, runId);
        return run.state === "success" || run.state === "failed" ? run : undefined;
      },
      { details: () => runOf(daemon, runId) },
    );
    expect(done.state, JSON.stringify(done)).toBe("success");
    const task = done.tasks[0]!;
    expect(task.try).toBe(2);
    expect(task.podName).toBe(podNameFor({ dagId: "evicted", runId, taskId: "work", try: 2 }));
    expect(task.tries[0]).toMatchObject({ try: 1, state: "failed" });
    expect(task.tries[0]?.reason).toMatch(/^evicted: The node was low on resource: memory/);
    const log1 = await daemon.request(`/api/runs/${runId}/tasks/work/logs?try=1`);
    expect(log1.text).toContain("[updraft] pod event: Warning Evicted");
    const log2 = await daemon.request(`/api/runs/${runId}/tasks/work/logs?try=2`);
    expect(log2.text).toContain("try 2 done");
    await waitFor("both Pods deleted (onFinish delete)", () =>
      kube.pods("default").some((p) => p.metadata.labels?.["updraft.dev/dag"] === "evicted")
        ? undefined
        : true,
    );
  });

  it("a timeout deletes the Pod and fails the try with the reason; no Pod is left", async () => {
    const script = `process.on("SIGTERM", () => { console.log("stopping on SIGTERM"); process.exit(143); }); console.log("runs forever"); setInterval(() => {}, 1000);`;
    const daemon = await daemonWith(`import { dag, pod } from "updraft";
export default dag({ id: "slow", schedule: null, retries: 0, tasks: [
  pod({ id: "work", image: "node:20", timeout: "2s", command: ${JSON.stringify([process.execPath, "-e", script])} }),
] });
`);
    const runId = await trigger(daemon, "slow");
    const done = await waitFor(
      "the run to end",
      async () => {
        const run = await runOf(daemon, runId);
        return run.state === "success" || run.state === "failed" ? run : undefined;
      },
      { details: () => runOf(daemon, runId) },
    );
    expect(done.state).toBe("failed");
    expect(done.tasks[0]).toMatchObject({ state: "failed", try: 1 });
    expect(done.tasks[0]?.reason).toMatch(/timed out|timeout/i);
    const name = podNameFor({ dagId: "slow", runId, taskId: "work", try: 1 });
    const deletes = kube.requests.filter((r) => r.verb === "delete" && r.name === name);
    expect(Number(deletes[0]?.query.gracePeriodSeconds)).toBeGreaterThan(0);
    await waitFor("the Pod gone", () => (kube.pod("default", name) ? undefined : true));
    const log = await daemon.request(`/api/runs/${runId}/tasks/work/logs?try=1`);
    expect(log.text).toContain("stopping on SIGTERM");
  });
});
