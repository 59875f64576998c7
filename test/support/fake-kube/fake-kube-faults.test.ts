import { describe, expect, it } from "vitest";
import { apiError, podOf, useFakeKube } from "./fake-kube-fixture.ts";

const fake = useFakeKube();
const NS = "default";

describe("faults and the request journal", () => {
  it("fails the next matching requests with the given status, then recovers", async () => {
    fake.kube.failNext(/\/pods$/, 503, 2, { method: "GET" });
    expect((await apiError(fake.core.listNamespacedPod({ namespace: NS }))).code).toBe(503);
    expect((await apiError(fake.core.listNamespacedPod({ namespace: NS }))).status.reason).toBe(
      "ServiceUnavailable",
    );
    await expect(fake.core.listNamespacedPod({ namespace: NS })).resolves.toBeDefined();
    expect(fake.kube.requests.map((r) => [r.verb, r.resource, r.code, r.fault ?? false])).toEqual([
      ["list", "pods", 503, true],
      ["list", "pods", 503, true],
      ["list", "pods", 200, false],
    ]);
  });

  it("can fail a create after it took effect (the retry then meets 409), or drop the connection", async () => {
    fake.kube.failNext(/\/pods$/, 504, 1, { method: "POST", after: true });
    const first = await apiError(
      fake.core.createNamespacedPod({ namespace: NS, body: podOf("once", ["true"]) }),
    );
    expect(first).toMatchObject({ code: 504, status: { reason: "Timeout" } });
    expect(fake.kube.pod(NS, "once")).toBeDefined();
    const retry = await apiError(
      fake.core.createNamespacedPod({ namespace: NS, body: podOf("once", ["true"]) }),
    );
    expect(retry.code).toBe(409);

    fake.kube.dropNext(/\/pods\/once$/, 1, { method: "GET" });
    await expect(fake.core.readNamespacedPod({ namespace: NS, name: "once" })).rejects.toMatchObject({
      name: "FetchError",
      code: "ECONNRESET",
    });
    await expect(fake.core.readNamespacedPod({ namespace: NS, name: "once" })).resolves.toBeDefined();
  });

  it("delays matching requests", async () => {
    const undo = fake.kube.delay(/\/pods\/slow$/, 300);
    const started = Date.now();
    await apiError(fake.core.readNamespacedPod({ namespace: NS, name: "slow" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    undo();
  });

  it("counts requests per verb and derives the RBAC rules they need", async () => {
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("r", ["true"]) });
    await fake.core.readNamespacedPod({ namespace: NS, name: "r" });
    await fake.core.listNamespacedEvent({ namespace: NS });
    expect(fake.kube.countRequests({ verb: "create", resource: "pods" })).toBe(1);
    expect(fake.kube.rbacRules()).toEqual([
      { apiGroups: [""], resources: ["events"], verbs: ["list"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["create", "get"] },
    ]);
  });

  it("answers 401 without the bearer token", async () => {
    const response = await fetch(`${fake.kube.url}/api/v1/namespaces/default/pods`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });
});
