// Issue 12 point 3: the composition root reads neither `process.env` nor the clock; both are
// injected (`DaemonPorts`), as the CLI injects its own environment and the system clock.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock, type Clock } from "../../src/leader/clock.ts";
import { Cleanup } from "../support/cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { type FakeKube, startFakeKube } from "../support/fake-kube/fake-kube.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function dagsFolder(source: string): Promise<string> {
  const dir = path.join(await cleanup.tempDir("daemon-ports"), "dags");
  await mkdir(dir);
  await writeFile(path.join(dir, "dag.ts"), source);
  return dir;
}

async function trigger(daemon: TestDaemon, dagId: string): Promise<string> {
  await waitFor("the DAG loaded", async () => ((await daemon.dags()).length === 1 ? true : undefined));
  const response = await daemon.request(`/api/dags/${dagId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(response.status, response.text).toBe(201);
  return (response.body as { runId: string }).runId;
}

describe("the daemon's environment is injected", () => {
  let kube: FakeKube;
  const saved = { KUBECONFIG: process.env.KUBECONFIG, POD_NAME: process.env.POD_NAME };
  beforeAll(async () => {
    kube = await startFakeKube({ namespaces: ["default"] });
    // The process's own environment points nowhere: only the injected one leads to the cluster.
    process.env.KUBECONFIG = "/nonexistent/kubeconfig";
    delete process.env.POD_NAME;
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    await kube.close();
  });

  it("finds the cluster (executor and Lease) and its identity through the env it is given", async () => {
    const dags = await dagsFolder(dagModule("via_env", { echo: "from the injected env" }));
    const kubeconfig = path.join(path.dirname(dags), "kubeconfig");
    await writeFile(kubeconfig, kube.kubeconfigText("default"));
    const daemon = await startTestDaemon(
      cleanup,
      ["--dags", dags, "--executor", "kubernetes", "--namespace", "default", "--leader-elect", "true"],
      {
        env: { KUBECONFIG: kubeconfig, POD_NAME: "replica-from-env", POD_NAMESPACE: "default" },
        start: false,
      },
    );
    // Leadership changes are reported on the daemon's event bus too (issue 12 point 5).
    const leading = daemon.daemon.events.next("leadership:changed", (view) => view.isLeader);
    await daemon.daemon.start();
    expect(await leading).toMatchObject({ enabled: true, isLeader: true, identity: "replica-from-env" });
    const leader = await waitFor("this replica to lead", async () => {
      const status = (await daemon.request("/api/status")).body as {
        leader?: { isLeader: boolean; identity: string | null };
      };
      return status.leader?.isLeader ? status.leader : undefined;
    });
    expect(leader.identity).toBe("replica-from-env");
    expect(kube.lease("default", "updraft-leader")?.spec).toMatchObject({
      holderIdentity: "replica-from-env",
    });
    const runId = await trigger(daemon, "via_env");
    await waitFor("the task's Pod on the cluster from the injected env", () =>
      kube.pods("default").some((pod) => pod.metadata.labels?.["updraft.dev/dag"] === "via_env")
        ? true
        : undefined,
    );
    expect(runId).toMatch(/^via_env__manual__/);
  });
});

describe("the daemon's clock is injected", () => {
  it("stamps runs with the clock it is given", async () => {
    const aheadMs = 1000 * 86_400_000;
    const clock: Clock = { ...systemClock, now: () => systemClock.now() + aheadMs };
    const dags = await dagsFolder(dagModule("clocked"));
    const daemon = await startTestDaemon(cleanup, ["--dags", dags], { clock });
    const before = Date.now() + aheadMs;
    const runId = await trigger(daemon, "clocked");
    const after = Date.now() + aheadMs;
    const run = (await daemon.request(`/api/runs/${runId}`)).body as { logicalDate: string };
    const stamped = Date.parse(run.logicalDate);
    expect(stamped).toBeGreaterThanOrEqual(before - 1000);
    expect(stamped).toBeLessThanOrEqual(after);
  });
});
