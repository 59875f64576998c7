// Issue 14 point 7 through a real daemon: a Pod the cluster's admission refuses (Pod Security's 403,
// a validating webhook's denial with whatever code it chose) fails the try at once, once asked,
// with the API's message as the task's reason; nothing is retried and no Pod exists.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { podSecurityDenial, webhookDenial } from "../support/fake-kube/admission-denials.ts";
import type { KubeError } from "../support/fake-kube/status.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer, writeKubeconfig } from "../support/fake-kube/fake-kube-fixture.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import { daemonFolders } from "../support/dag-folders.ts";

interface RunView {
  state: string;
  tasks: Array<{ id: string; state: string; try: number; reason?: string | null }>;
}

const savedKubeconfig = process.env.KUBECONFIG;
const kube = useFakeKubeServer({ namespaces: ["default"] });
afterAll(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});
afterEach(() => kube.clearFaults());
const cleanup = useCleanup();

const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "admitted", schedule: null, retries: 0, tasks: [
  pod({ id: "work", image: "fake/sleep:100" }),
] });
`;

/** Starts a daemon, has the fake refuse its first Pod create with `denial`, runs the DAG once. */
async function runRefused(denial: (podName: string) => KubeError) {
  const { dir, dagsDir } = await daemonFolders(cleanup, "admission", { "dag.ts": DAG });
  process.env.KUBECONFIG = await writeKubeconfig(kube, dir);
  const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--executor", "kubernetes"]);
  await waitFor("the DAG loaded", async () => ((await daemon.dags()).length === 1 ? true : undefined));
  const creates = () => kube.requests.filter((r) => r.verb === "create" && r.resource === "pods");
  const before = creates().length;
  kube.refuseNext((r) => r.verb === "create" && r.resource === "pods", denial("the-pod"));
  const response = await daemon.request("/api/dags/admitted/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(response.status, response.text).toBe(201);
  const runId = (response.body as { runId: string }).runId;
  const run = await waitFor(
    "the run to end",
    async () => {
      const view = (await daemon.request(`/api/runs/${runId}`)).body as RunView;
      return view.state === "success" || view.state === "failed" ? view : undefined;
    },
    { timeoutMs: 20_000 },
  );
  const podName = podNameFor({ dagId: "admitted", runId, taskId: "work", try: 1 });
  return { run, creates: creates().slice(before), podName };
}

describe("a Pod refused by admission", () => {
  it("Pod Security (403) fails the try at once with the API's message", async () => {
    const { run, creates, podName } = await runRefused(podSecurityDenial);
    expect(run.state).toBe("failed");
    expect(run.tasks[0]).toMatchObject({ state: "failed", try: 1 });
    expect(run.tasks[0]?.reason).toMatch(
      /^Kubernetes refused the pod: pods "the-pod" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
    expect(creates.map((r) => r.code)).toEqual([403]);
    expect(kube.pod("default", podName)).toBeUndefined();
  });

  it("a webhook's denial, even with a 500 the webhook chose, is not retried", async () => {
    const { run, creates, podName } = await runRefused(() =>
      webhookDenial("policy.example.com", "image fake/sleep:100 is not signed", 500),
    );
    expect(run.state).toBe("failed");
    expect(run.tasks[0]?.reason).toBe(
      'Kubernetes refused the pod: admission webhook "policy.example.com" denied the request: image fake/sleep:100 is not signed',
    );
    expect(creates.map((r) => r.code)).toEqual([500]);
    expect(kube.pod("default", podName)).toBeUndefined();
  });
});
