// Issue 14 point 7 through a real daemon: --kube-qps/--kube-burst bound every request the daemon
// sends to the API server (creates, log streams, deletes, lists, watches, the Lease), as measured
// by the fake. A budget far below what 10 tasks at once would send: the limit is what holds.
import { afterAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer, writeKubeconfig } from "../support/fake-kube/fake-kube-fixture.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import { daemonFolders } from "../support/dag-folders.ts";

const savedKubeconfig = process.env.KUBECONFIG;
const kube = useFakeKubeServer({ namespaces: ["default"] });
afterAll(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});
const cleanup = useCleanup();

const TASKS = 10;
const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "many", schedule: null, retries: 0, tasks: [
${Array.from({ length: TASKS }, (_, i) => `  pod({ id: "t${i}", image: "fake/sleep:50" }),`).join("\n")}
] });
`;

describe("--kube-qps and --kube-burst", () => {
  it("keep every request of a daemon (with leader election) within qps + burst per second", async () => {
    const qps = 10;
    const burst = 2;
    const { dir, dagsDir } = await daemonFolders(cleanup, "rate", { "dag.ts": DAG });
    process.env.KUBECONFIG = await writeKubeconfig(kube, dir);
    const from = kube.requests.length;
    const daemon = await startTestDaemon(cleanup, [
      ...["--dags", dagsDir, "--executor", "kubernetes", "--leader-elect", "true"],
      ...["--kube-qps", String(qps), "--kube-burst", String(burst)],
    ]);
    await waitFor("the DAG loaded", async () => ((await daemon.dags()).length === 1 ? true : undefined));
    const response = await daemon.request("/api/dags/many/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status, response.text).toBe(201);
    const runId = (response.body as { runId: string }).runId;
    const state = await waitFor(
      "the run to end",
      async () => {
        const { state } = (await daemon.request(`/api/runs/${runId}`)).body as { state: string };
        return state === "success" || state === "failed" ? state : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(state).toBe("success");
    const mine = kube.requests.slice(from);
    expect(mine.filter((r) => r.resource === "leases").length).toBeGreaterThan(0);
    expect(mine.filter((r) => r.verb === "create" && r.resource === "pods")).toHaveLength(TASKS);
    const rates = kube.requestRates((r) => mine.includes(r));
    expect(rates.peak, JSON.stringify(Object.fromEntries(rates.byVerb))).toBeLessThanOrEqual(qps + burst);
  });
});
