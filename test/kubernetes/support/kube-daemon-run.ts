import { expect } from "vitest";
import { daemonFolders } from "../../support/dag-folders.ts";
import { writeKubeconfig } from "../../support/fake-kube/fake-kube-fixture.ts";
import { startTestDaemon, type TestDaemon } from "../../support/test-daemon.ts";
import type { Cleanup } from "../../support/cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";

/**
 * A daemon with the Kubernetes executor on the fake API server (`kube`), loading the one DAG
 * module `source`, with one manual run of `dagId` triggered: the daemon and the run's id.
 * Sets KUBECONFIG; the test file restores it.
 */
export async function kubeDaemonWithRun(
  cleanup: Cleanup,
  kube: Parameters<typeof writeKubeconfig>[0],
  name: string,
  dagId: string,
  source: string,
): Promise<{ daemon: TestDaemon; runId: string }> {
  const { dir, dagsDir } = await daemonFolders(cleanup, name, { "dag.ts": source });
  process.env.KUBECONFIG = await writeKubeconfig(kube, dir);
  const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--executor", "kubernetes"]);
  await waitFor("the DAG loaded", async () => ((await daemon.dags()).length === 1 ? true : undefined));
  const created = await daemon.request(`/api/dags/${dagId}/runs`, {
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json" },
  });
  expect(created.status, created.text).toBe(201);
  return { daemon, runId: String(created.body.runId) };
}
