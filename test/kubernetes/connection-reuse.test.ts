// Issue 17 point 5: the client builds a fresh agent for every request; reuseConnections makes the
// daemon's calls, watches and log reads share one keep-alive agent (one TCP connection at a time
// here, as requests go one after another), through the official client against the fake API server.
import diagnostics from "node:diagnostics_channel";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { startFakeKubeFor } from "../support/fake-kube/fake-kube-fixture.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup();

/** Counts the TCP connections this process opens while `work` runs. */
async function connectionsDuring(work: () => Promise<void>): Promise<number> {
  let opened = 0;
  const count = () => void opened++;
  diagnostics.subscribe("net.client.socket", count);
  try {
    await work();
  } finally {
    diagnostics.unsubscribe("net.client.socket", count);
  }
  return opened;
}

const pod = (name: string) => ({
  metadata: { name },
  spec: { restartPolicy: "Never", containers: [{ name: "base", image: "fake/sleep:3600000" }] },
});

describe("connection reuse", () => {
  it("sends 20 requests one after another over one connection", async () => {
    const kube = await startFakeKubeFor(cleanup, { namespaces: ["default"] });
    const api = createKubeApi(kube.kubeConfig(), { retryBaseMs: 1 });
    const opened = await connectionsDuring(async () => {
      for (let n = 0; n < 5; n++) {
        await api.createPod("default", pod(`p${n}`));
        await api.listPods("default", "app=x");
        await api.listPodEvents("default", `p${n}`);
        await api.deletePod("default", `p${n}`, 0);
      }
    });
    expect(kube.countRequests({ resource: "pods" })).toBeGreaterThanOrEqual(15);
    expect(opened).toBe(1);
  });

  it("a log read and a watch use the same agent as the calls; an aborted watch does not break the next call", async () => {
    const kube = await startFakeKubeFor(cleanup, { namespaces: ["default"] });
    const api = createKubeApi(kube.kubeConfig(), { retryBaseMs: 1 });
    await api.createPod("default", pod("logged"));
    const opened = await connectionsDuring(async () => {
      const watch = await api.watchPods(
        "default",
        { labelSelector: "app=x", resourceVersion: "" },
        () => undefined,
        () => undefined,
      );
      watch.abort();
      const sink = new PassThrough();
      sink.resume();
      await api.readLog("default", "logged", "base", undefined, sink).catch(() => undefined);
      await api.listPods("default", "app=x");
      await api.listPods("default", "app=x");
    });
    // The watch's connection is gone with its abort; the read and the two lists share one more.
    expect(opened).toBeLessThanOrEqual(2);
    expect((await api.listPods("default", "")).items).toHaveLength(1);
  });
});
