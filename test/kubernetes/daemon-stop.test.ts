// Issue 15 point 1 over the Kubernetes executor: stopping a run deletes its Pods (with their grace
// period) before the stop is answered, no retry Pod follows, and the Pods are gone soon after.
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
export default dag({ id: "stop_pods", schedule: null, retries: 2, retryDelay: "1s", tasks: [
  pod({ id: "a", image: "node:20", command: ${JSON.stringify([process.execPath, "-e", HOLD])} }),
  pod({ id: "b", image: "node:20", command: ${JSON.stringify([process.execPath, "-e", HOLD])} }),
  pod({ id: "after", image: "node:20", command: ["true"], dependsOn: ["a", "b"] }),
] });
`;

/** The DAG's Pods (the test makes one run of it). */
const podsOfDag = () =>
  kube.pods("default").filter((p) => p.metadata.labels?.["updraft.dev/dag"] === "stop_pods");

describe("POST /api/runs/:runId/stop (Kubernetes executor)", () => {
  it("deletes the run's Pods before the run is final; they are gone and no retry Pod is made", async () => {
    const { daemon, runId } = await kubeDaemonWithRun(cleanup, kube, "daemon-stop", "stop_pods", DAG);
    const names = ["a", "b"].map((taskId) => podNameFor({ dagId: "stop_pods", runId, taskId, try: 1 }));
    await waitFor("both Pods running", () =>
      names.every((name) => kube.pod("default", name)?.status.phase === "Running") ? true : undefined,
    );

    const stopped = await daemon.request(`/api/runs/${runId}/stop`, { method: "POST" });
    expect(stopped.status, stopped.text).toBe(200);
    // When the run is final, each of its Pods is gone or being deleted.
    for (const name of names)
      expect(kube.pod("default", name)?.metadata.deletionTimestamp ?? "gone").toBeTruthy();
    expect(stopped.body).toMatchObject({ state: "failed", reason: "stopped by local user" });
    expect(stopped.body.tasks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ["a", "failed"],
      ["b", "failed"],
      ["after", "upstream_failed"],
    ]);
    await waitFor("the run's Pods to be gone", () => (podsOfDag().length === 0 ? true : undefined), {
      details: () => podsOfDag().map((p) => p.metadata.name),
    });
    // The executor reported the cancelled tries' ends before their Pods went: they started no retry.
    const run = await daemon.request(`/api/runs/${runId}`);
    expect(run.body.tasks.map((t: { try: number }) => t.try)).toEqual([1, 1, 0]);
  });
});
