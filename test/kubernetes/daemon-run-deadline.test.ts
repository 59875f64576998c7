// Issue #15 point 6 over the Kubernetes executor: a run past its runTimeout is stopped and its
// Pod deleted, as a stop does.
import { afterAll, describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { kubeDaemonWithRun } from "./support/kube-daemon-run.ts";
import { waitFor } from "../support/wait-for.ts";

const savedKubeconfig = process.env.KUBECONFIG;
const kube = useFakeKubeServer({ namespaces: ["default"] });
afterAll(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});
const cleanup = useCleanup();

const HOLD = `console.log("holding"); setInterval(() => {}, 1000);`;
const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "hung_pod", schedule: null, runTimeout: "2s", tasks: [
  pod({ id: "a", image: "node:20", command: ${JSON.stringify([process.execPath, "-e", HOLD])} }),
] });
`;

describe("runTimeout (Kubernetes executor)", () => {
  it("fails the run with `run timed out after 2s` and deletes its Pod", async () => {
    const { daemon, runId } = await kubeDaemonWithRun(cleanup, kube, "daemon-run-deadline", "hung_pod", DAG);
    const name = podNameFor({ dagId: "hung_pod", runId, taskId: "a", try: 1 });
    await waitFor("the Pod running", () =>
      kube.pod("default", name)?.status.phase === "Running" ? true : undefined,
    );
    const run = await waitFor("the run to time out", async () => {
      const body = (await daemon.request(`/api/runs/${runId}`)).body;
      return body.state === "failed" ? body : undefined;
    });
    expect(run).toMatchObject({ state: "failed", reason: "run timed out after 2s" });
    expect(run.tasks.map((t: { state: string; try: number }) => [t.state, t.try])).toEqual([["failed", 1]]);
    await waitFor("the Pod to be gone", () => (kube.pod("default", name) ? undefined : true));
  });
});
