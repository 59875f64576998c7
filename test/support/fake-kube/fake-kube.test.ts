import { CoordinationV1Api, CoreV1Api, KubeConfig, V1MicroTime } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { apiError, podOf, terminated, useFakeKube, waitForPod } from "./fake-kube-fixture.ts";

const fake = useFakeKube();
const NS = "default";

describe("pods through CoreV1Api", () => {
  it("creates, reads, lists by label selector and deletes", async () => {
    const { core } = fake;
    const created = await core.createNamespacedPod({
      namespace: NS,
      body: podOf("one", ["node", "-e", "setTimeout(() => {}, 60000)"], { labels: { app: "a", tier: "x" } }),
    });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.spec?.serviceAccountName).toBe("default");
    expect(created.spec?.containers[0]?.imagePullPolicy).toBe("IfNotPresent");
    expect(created.status?.phase).toBe("Pending");
    await core.createNamespacedPod({ namespace: NS, body: podOf("two", ["true"], { labels: { app: "b" } }) });
    await core.createNamespacedPod({ namespace: NS, body: podOf("three", ["true"]) });

    expect((await core.readNamespacedPod({ namespace: NS, name: "one" })).metadata?.labels).toEqual({
      app: "a",
      tier: "x",
    });
    const names = async (labelSelector: string) =>
      (await core.listNamespacedPod({ namespace: NS, labelSelector })).items.map((p) => p.metadata?.name);
    expect(await names("app=a")).toEqual(["one"]);
    expect(await names("app!=a")).toEqual(["three", "two"]);
    expect(await names("app in (a,b),!tier")).toEqual(["two"]);
    expect(await names("app")).toEqual(["one", "two"]);
    const byField = await core.listPodForAllNamespaces({ fieldSelector: "metadata.name=two" });
    expect(byField.items.map((p) => p.metadata?.name)).toEqual(["two"]);

    await waitForPod(fake.kube, "one", (p) => p.status.phase === "Running");
    const deleted = await core.deleteNamespacedPod({ namespace: NS, name: "one", gracePeriodSeconds: 5 });
    expect(deleted.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await waitFor404(core, "one");
  });

  it("pages a list with limit and continue", async () => {
    for (const name of ["p1", "p2", "p3"])
      await fake.core.createNamespacedPod({ namespace: NS, body: podOf(name, ["true"]) });
    const first = await fake.core.listNamespacedPod({ namespace: NS, limit: 2 });
    expect(first.items.map((p) => p.metadata?.name)).toEqual(["p1", "p2"]);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const rest = await fake.core.listNamespacedPod({
      namespace: NS,
      limit: 2,
      _continue: first.metadata?._continue,
    });
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(["p3"]);
    expect(rest.metadata?._continue).toBeUndefined();
  });

  it("answers a duplicate name with 409 AlreadyExists and the Status body", async () => {
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("dup", ["true"]) });
    const { code, status } = await apiError(
      fake.core.createNamespacedPod({ namespace: NS, body: podOf("dup", ["true"]) }),
    );
    expect(code).toBe(409);
    expect(status).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "AlreadyExists",
      message: 'pods "dup" already exists',
      details: { name: "dup", kind: "pods" },
      code: 409,
    });
  });

  it("answers 404 NotFound for a pod that is not there", async () => {
    const { code, status } = await apiError(fake.core.readNamespacedPod({ namespace: NS, name: "nope" }));
    expect(code).toBe(404);
    expect(status).toMatchObject({ reason: "NotFound", message: 'pods "nope" not found' });
  });

  it("rejects an invalid label and requests above limits with 422 and one cause each", async () => {
    const body = podOf("bad", ["true"], { labels: { "updraft.dev/run": "manual run!" } });
    body.spec!.containers[0]!.resources = { requests: { memory: "2Gi" }, limits: { memory: "1024Mi" } };
    const { code, status } = await apiError(fake.core.createNamespacedPod({ namespace: NS, body }));
    expect(code).toBe(422);
    expect(status.reason).toBe("Invalid");
    expect((status.details as { causes: unknown[] }).causes).toEqual([
      expect.objectContaining({
        reason: "FieldValueInvalid",
        field: "metadata.labels",
        message: expect.stringContaining('Invalid value: "manual run!": a valid label must be'),
      }),
      {
        reason: "FieldValueInvalid",
        field: "spec.containers[0].resources.requests",
        message: 'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
      },
    ]);
    expect(status.message).toMatch(/^Pod "bad" is invalid: \[metadata\.labels: Invalid value/);
  });

  it("rejects an unparsable quantity with 400 as the decoder does", async () => {
    const body = podOf("badq", ["true"]);
    body.spec!.containers[0]!.resources = { limits: { memory: "1Gb" } };
    const { code, status } = await apiError(fake.core.createNamespacedPod({ namespace: NS, body }));
    expect(code).toBe(400);
    expect(status.message).toContain("quantities must match the regular expression");
  });

  it("stores quantities in canonical form and defaults requests from limits", async () => {
    const body = podOf("q", ["true"]);
    body.spec!.containers[0]!.resources = { limits: { memory: "1024Mi", cpu: "0.5" } };
    const pod = await fake.core.createNamespacedPod({ namespace: NS, body });
    expect(pod.spec?.containers[0]?.resources).toEqual({
      limits: { memory: "1Gi", cpu: "500m" },
      requests: { memory: "1Gi", cpu: "500m" },
    });
    expect(pod.status?.qosClass).toBe("Guaranteed");
  });

  it("runs the command for real: exit 3 ends Failed with its exit code and its output in the log", async () => {
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("exit3", ["node", "-e", "console.log('hi'); process.exit(3)"]),
    });
    const pod = await waitForPod(fake.kube, "exit3", (p) => p.status.phase === "Failed");
    expect(terminated(pod)).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(await fake.core.readNamespacedPodLog({ namespace: NS, name: "exit3" })).toBe("hi\n");
  });
});

describe("namespaces and kubeconfig", () => {
  it("knows pre-created namespaces and the ones pods were created in", async () => {
    expect((await fake.core.readNamespace({ name: "default" })).status?.phase).toBe("Active");
    expect((await apiError(fake.core.readNamespace({ name: "jobs" }))).code).toBe(404);
    await fake.core.createNamespacedPod({ namespace: "jobs", body: podOf("j", ["true"]) });
    expect((await fake.core.readNamespace({ name: "jobs" })).metadata?.labels).toEqual({
      "kubernetes.io/metadata.name": "jobs",
    });
  });

  it("writes a kubeconfig file text the client loads (for a daemon started with KUBECONFIG)", async () => {
    const kc = new KubeConfig();
    kc.loadFromString(fake.kube.kubeconfigText("jobs"));
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe("jobs");
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "jobs" });
    expect(pods.items).toEqual([]);
  });
});

describe("strict namespaces", () => {
  const strict = useFakeKube({ strictNamespaces: true });

  it("refuses a pod in a namespace that does not exist with 404", async () => {
    const { code, status } = await apiError(
      strict.core.createNamespacedPod({ namespace: "nowhere", body: podOf("p", ["true"]) }),
    );
    expect(code).toBe(404);
    expect(status.message).toBe('namespaces "nowhere" not found');
  });
});

describe("events", () => {
  it("lists Failed and BackOff events for a pod whose image cannot be pulled", async () => {
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("pull", undefined, { image: "fake/pull-error:1" }),
    });
    await waitForPod(
      fake.kube,
      "pull",
      (p) => p.status.containerStatuses?.[0]?.state.waiting?.reason === "ImagePullBackOff",
    );
    const events = await fake.core.listNamespacedEvent({
      namespace: NS,
      fieldSelector: "involvedObject.name=pull,involvedObject.kind=Pod",
    });
    const reasons = events.items.map((e) => `${e.type}/${e.reason}: ${e.message}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        "Normal/Scheduled: Successfully assigned default/pull to fake-node-1",
        'Normal/Pulling: Pulling image "fake/pull-error:1"',
        "Warning/Failed: Error: ErrImagePull",
        'Normal/BackOff: Back-off pulling image "fake/pull-error:1"',
        "Warning/Failed: Error: ImagePullBackOff",
      ]),
    );
    const failed = events.items.find((e) => e.message === "Error: ErrImagePull");
    expect(failed?.involvedObject.fieldPath).toBe("spec.containers{base}");
    expect(failed?.count).toBeGreaterThanOrEqual(1);
    expect(failed?.lastTimestamp).toBeInstanceOf(Date);
  });
});

describe("leases through CoordinationV1Api", () => {
  it("refuses a PUT with a stale resourceVersion with 409 Conflict", async () => {
    const leases = fake.kube.kubeConfig().makeApiClient(CoordinationV1Api);
    const spec = { holderIdentity: "a", leaseDurationSeconds: 15, renewTime: new V1MicroTime() };
    const created = await leases.createNamespacedLease({
      namespace: NS,
      body: { metadata: { name: "leader" }, spec },
    });
    const renewed = await leases.replaceNamespacedLease({
      namespace: NS,
      name: "leader",
      body: { ...created, spec: { ...spec, holderIdentity: "a" } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const { code, status } = await apiError(
      leases.replaceNamespacedLease({
        namespace: NS,
        name: "leader",
        body: { ...created, spec: { ...spec, holderIdentity: "b" } },
      }),
    );
    expect(code).toBe(409);
    expect(status).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "leader": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((fake.kube.lease(NS, "leader")?.spec as { holderIdentity: string }).holderIdentity).toBe("a");
  });

  it("refuses a renewTime with millisecond precision (a plain Date) with 400, as Go's MicroTime parser does", async () => {
    const leases = fake.kube.kubeConfig().makeApiClient(CoordinationV1Api);
    const body = { metadata: { name: "ms" }, spec: { holderIdentity: "a", renewTime: new Date() } };
    const { code, status } = await apiError(leases.createNamespacedLease({ namespace: NS, body }));
    expect(code).toBe(400);
    expect(status.message).toContain('as "2006-01-02T15:04:05.000000Z07:00"');
  });
});

async function waitFor404(core: CoreV1Api, name: string) {
  for (let i = 0; i < 300; i++) {
    const result = await core.readNamespacedPod({ namespace: NS, name }).then(
      () => 200,
      (e: { code?: number }) => e.code,
    );
    if (result === 404) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`pod ${name} was not deleted`);
}
