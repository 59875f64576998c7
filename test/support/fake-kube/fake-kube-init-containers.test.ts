// The fake kubelet's init containers (in order, each to completion), native sidecars (init
// containers with restartPolicy Always: started in order, running beside the main containers,
// stopped after them, as Kubernetes ≥ 1.29 does) and the fake's istio-proxy injection.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../wait-for.ts";
import { apiError, podOf, useFakeKube, waitForPod } from "./fake-kube-fixture.ts";
import type { ContainerStatus, Pod } from "./types.ts";

const NS = "default";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "fake-kube-init-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A container that appends its name to the shared `order` file (the containers run on this host). */
const appending = (name: string, extra: Partial<V1Container> = {}, exitCode = 0): V1Container => ({
  name,
  image: "node:20",
  command: [
    "node",
    "-e",
    `require('fs').appendFileSync(${JSON.stringify(path.join(dir, "order"))}, '${name}\\n'); console.log('${name} ran'); process.exit(${exitCode});`,
  ],
  ...extra,
});

/**
 * A main container that first waits for `after` to be in the `order` file: a kubelet only promises
 * that a sidecar's process was started before the main containers, not that its code has run yet
 * (on a loaded machine node takes a while to get there). A sidecar that never ran hangs the test.
 */
const appendingAfter = (name: string, after: string, exitCode: number): V1Container => ({
  name,
  image: "node:20",
  command: [
    "node",
    "-e",
    `const fs = require('fs'); const f = ${JSON.stringify(path.join(dir, "order"))};
     const seen = () => { try { return fs.readFileSync(f, 'utf8').split('\\n').includes(${JSON.stringify(after)}); } catch { return false; } };
     const go = () => { if (!seen()) return setTimeout(go, 20); fs.appendFileSync(f, '${name}\\n'); process.exit(${exitCode}); };
     go();`,
  ],
});

/** A native sidecar: appends its name, then runs until SIGTERM, noting that it was stopped. */
const sidecar = (name: string): V1Container => ({
  name,
  image: "node:20",
  restartPolicy: "Always",
  command: [
    "node",
    "-e",
    `const fs = require('fs'); const f = ${JSON.stringify(path.join(dir, "order"))};
     process.on('SIGTERM', () => { fs.appendFileSync(f, '${name} stopped\\n'); process.exit(0); });
     fs.appendFileSync(f, '${name}\\n'); setInterval(() => {}, 1000);`,
  ],
});

const order = async () =>
  (await readFile(path.join(dir, "order"), "utf8").catch(() => "")).trim().split("\n");
const statusOf = (statuses: ContainerStatus[] | undefined, name: string) =>
  statuses?.find((s) => s.name === name);
const condition = (pod: Pod, type: string) => pod.status.conditions?.find((c) => c.type === type);

describe("init containers", () => {
  const fake = useFakeKube({ timings: { retryMs: 50 } });
  const create = (body: V1Pod) => fake.core.createNamespacedPod({ namespace: NS, body });
  const eventsOf = (name: string) => fake.kube.events(NS, name).map((e) => `${e.reason}: ${e.message}`);

  it("run one after the other, each to completion, before the main containers", async () => {
    const pod = podOf("ordered", undefined);
    pod.spec!.containers = [appending("base")];
    pod.spec!.initContainers = [appending("first"), appending("second")];
    await create(pod);
    const done = await waitForPod(fake.kube, "ordered", (p) => p.status.phase === "Succeeded");
    expect(await order()).toEqual(["first", "second", "base"]);
    expect(done.status.initContainerStatuses?.map((s) => [s.name, s.state.terminated?.reason])).toEqual([
      ["first", "Completed"],
      ["second", "Completed"],
    ]);
    expect(condition(done, "Initialized")?.status).toBe("True");
    expect(eventsOf("ordered")).toContain("Started: Started container first");
    const fieldPaths = fake.kube.events(NS, "ordered").map((e) => e.involvedObject.fieldPath);
    expect(fieldPaths).toContain("spec.initContainers{first}");
    // An init container's log is read with container=<its name>, through the official client.
    const log = await fake.core.readNamespacedPodLog({ namespace: NS, name: "ordered", container: "second" });
    expect(log).toBe("second ran\n");
  });

  it("a failing one fails the Pod (restartPolicy Never): the rest never run, the main containers wait", async () => {
    const pod = podOf("broken", undefined);
    pod.spec!.containers = [appending("base")];
    pod.spec!.initContainers = [appending("migrate", {}, 3), appending("after")];
    await create(pod);
    const failed = await waitForPod(fake.kube, "broken", (p) => p.status.phase === "Failed");
    expect(await order()).toEqual(["migrate"]);
    const migrate = statusOf(failed.status.initContainerStatuses, "migrate");
    expect(migrate?.state.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(statusOf(failed.status.initContainerStatuses, "after")?.state.waiting?.reason).toBe(
      "PodInitializing",
    );
    expect(statusOf(failed.status.containerStatuses, "base")?.state.waiting?.reason).toBe("PodInitializing");
    expect(condition(failed, "Initialized")).toMatchObject({
      status: "False",
      reason: "ContainersNotInitialized",
      message: "containers with incomplete status: [migrate after]",
    });
  });

  it("an init container whose image cannot be pulled leaves the Pod Pending in Init", async () => {
    const pod = podOf("stuck", ["true"]);
    pod.spec!.initContainers = [{ name: "fetch", image: "fake/pull-error:1" }];
    await create(pod);
    const stuck = await waitForPod(fake.kube, "stuck", (p) =>
      ["ErrImagePull", "ImagePullBackOff"].includes(
        statusOf(p.status.initContainerStatuses, "fetch")?.state.waiting?.reason ?? "",
      ),
    );
    expect(stuck.status.phase).toBe("Pending");
    expect(statusOf(stuck.status.containerStatuses, "base")?.state.waiting?.reason).toBe("PodInitializing");
    const denied = await apiError(fake.core.readNamespacedPodLog({ namespace: NS, name: "stuck" }));
    expect(denied.code).toBe(400);
  });
});

describe("native sidecars (init containers with restartPolicy Always)", () => {
  const fake = useFakeKube({ timings: { retryMs: 50 } });
  const create = (body: V1Pod) => fake.core.createNamespacedPod({ namespace: NS, body });
  const eventsOf = (name: string) => fake.kube.events(NS, name).map((e) => `${e.reason}: ${e.message}`);

  it.each([
    [0, "Succeeded"],
    [5, "Failed"],
  ])(
    "start before the main containers, run beside them, and are stopped after them (base exits %i → %s)",
    async (code, phase) => {
      const pod = podOf("sided", undefined);
      pod.spec!.containers = [appendingAfter("base", "shipper", code)];
      pod.spec!.initContainers = [appending("setup"), sidecar("shipper")];
      await create(pod);
      const done = await waitForPod(fake.kube, "sided", (p) => p.status.phase === phase);
      expect(await order()).toEqual(["setup", "shipper", "base", "shipper stopped"]);
      const shipper = statusOf(done.status.initContainerStatuses, "shipper");
      expect(shipper?.state.terminated).toMatchObject({ exitCode: 0 });
      expect(statusOf(done.status.containerStatuses, "base")?.state.terminated?.exitCode).toBe(code);
      expect(eventsOf("sided")).toContain("Killing: Stopping container shipper");
    },
  );

  it("keep the Pod Running while base has not finished, reported as started init containers", async () => {
    const pod = podOf("beside", ["node", "-e", "setInterval(() => {}, 1000)"]);
    pod.spec!.initContainers = [sidecar("shipper")];
    await create(pod);
    const running = await waitForPod(fake.kube, "beside", (p) => p.status.phase === "Running");
    expect(statusOf(running.status.initContainerStatuses, "shipper")).toMatchObject({
      started: true,
      ready: true,
      state: { running: {} },
    });
    expect(condition(running, "Initialized")?.status).toBe("True");
    await fake.core.deleteNamespacedPod({ namespace: NS, name: "beside", gracePeriodSeconds: 0 });
    await waitFor("the pod gone", () => (fake.kube.pod(NS, "beside") ? undefined : true));
    expect(fake.kube.runningContainers).toBe(0);
  });
});

describe("istio-proxy injection (namespace label istio-injection=enabled)", () => {
  const fake = useFakeKube({ namespaces: ["default"] });

  it("adds a running istio-proxy that keeps the Pod Running after base has exited", async () => {
    await fake.core.createNamespace({
      body: { metadata: { name: "mesh", labels: { "istio-injection": "enabled" } } },
    });
    await fake.core.createNamespacedPod({ namespace: "mesh", body: podOf("meshed", ["true"]) });
    const after = await waitForPod(
      fake.kube,
      "meshed",
      (p) => statusOf(p.status.containerStatuses, "base")?.state.terminated !== undefined,
      "mesh",
    );
    expect(after.spec.containers.map((c) => c.name)).toEqual(["base", "istio-proxy"]);
    expect(after.status.phase).toBe("Running");
    expect(statusOf(after.status.containerStatuses, "istio-proxy")?.state.running).toBeDefined();
    expect(after.metadata.annotations?.["sidecar.istio.io/status"]).toBeDefined();
    // Two containers: the log API wants a name, as a real one does.
    const ambiguous = await apiError(fake.core.readNamespacedPodLog({ namespace: "mesh", name: "meshed" }));
    expect(ambiguous.status.message).toBe(
      "a container name must be specified for pod meshed, choose one of: [base istio-proxy]",
    );
    await fake.core.deleteNamespacedPod({ namespace: "mesh", name: "meshed", gracePeriodSeconds: 0 });
    await waitFor("the pod gone", () => (fake.kube.pod("mesh", "meshed") ? undefined : true));
  });

  it("injects nothing with the annotation sidecar.istio.io/inject=false, or outside the labelled namespace", async () => {
    await fake.core.createNamespace({
      body: { metadata: { name: "mesh", labels: { "istio-injection": "enabled" } } },
    });
    const optedOut = podOf("plain", ["true"]);
    optedOut.metadata!.annotations = { "sidecar.istio.io/inject": "false" };
    const inMesh = await fake.core.createNamespacedPod({ namespace: "mesh", body: optedOut });
    const elsewhere = await fake.core.createNamespacedPod({ namespace: NS, body: podOf("plain", ["true"]) });
    expect(inMesh.spec?.containers.map((c) => c.name)).toEqual(["base"]);
    expect(elsewhere.spec?.containers.map((c) => c.name)).toEqual(["base"]);
  });
});
