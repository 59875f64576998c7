// Issue 11 point 12: SIGTERM while the first clone hangs on a slow remote aborts the clone, releases
// the Lease and exits 0 promptly, instead of waiting out --shutdown-timeout and exiting 1.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { type ExitStatus, spawnCli, POLL, runArgs } from "../daemon/support/daemon-process.ts";
import { LEASE_NAME, LEASE_NAMESPACE } from "../leader/support/electing-daemons.ts";
import { Cleanup } from "../support/cleanup.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { fakeKubeFolders } from "../support/fake-kube/fake-kube-fixture.ts";

/** A git HTTP remote that accepts every request and never answers: a clone that never ends. */
async function startHangingRemote(cleanup: Cleanup): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = http.createServer(() => {
    requests++;
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/dags.git`, requests: () => requests };
}

describe("SIGTERM during the first clone", () => {
  const cleanup = useCleanup();

  it("aborts the clone, releases the Lease and exits 0 promptly", async () => {
    const { fake: kube, stateDir, kubeconfig } = await fakeKubeFolders(cleanup, "shutdown-clone");
    const remote = await startHangingRemote(cleanup);
    const daemon = spawnCli(
      cleanup,
      runArgs(["--repo", remote.url, "--branch", "main"], stateDir, [
        "--executor",
        "kubernetes",
        "--namespace",
        "default",
        "--shutdown-timeout",
        "30s",
      ]),
      { KUBECONFIG: kubeconfig, POD_NAME: "updraft-a", POD_NAMESPACE: LEASE_NAMESPACE },
    );
    const holder = () =>
      (kube.lease(LEASE_NAMESPACE, LEASE_NAME)?.spec as { holderIdentity?: string } | undefined)
        ?.holderIdentity;
    await waitFor(
      "the daemon to hold the Lease and ask the remote for the branch",
      () => (holder() === "updraft-a" && remote.requests() > 0 ? true : undefined),
      { ...POLL, details: () => daemon.output() },
    );

    daemon.child.kill("SIGTERM");
    // Well under --shutdown-timeout (30 s), which is what ends the stop today.
    const exit = await Promise.race([daemon.exited, sleep(15_000).then(() => "still running" as const)]);
    expect(exit, daemon.output()).toEqual({ code: 0, signal: null } satisfies ExitStatus);
    expect(holder(), daemon.output()).toBe("");
  }, 90_000);
});
