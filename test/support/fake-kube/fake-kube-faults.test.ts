import { describe, expect, it } from "vitest";
import { podSecurityDenial } from "./admission-denials.ts";
import { apiError, podOf, useFakeKube } from "./fake-kube-fixture.ts";
import { peakInWindow, requestRates } from "./request-rate.ts";

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

describe("throttling, admission denials and request rates", () => {
  it("answers 429 with the Retry-After it was given, as header and Status detail", async () => {
    fake.kube.failNext(/\/pods$/, 429, 1, { method: "GET", retryAfterSeconds: 7 });
    const response = await fetch(`${fake.kube.url}/api/v1/namespaces/default/pods`, {
      headers: { authorization: `Bearer ${fake.kube.token}` },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toMatchObject({
      reason: "TooManyRequests",
      code: 429,
      details: { retryAfterSeconds: 7 },
    });
  });

  it("refuses a create with an admission denial: the Pod Security 403, nothing stored", async () => {
    fake.kube.refuseNext((r) => r.verb === "create", podSecurityDenial("denied"));
    const refused = await apiError(
      fake.core.createNamespacedPod({ namespace: NS, body: podOf("denied", ["true"]) }),
    );
    expect(refused).toMatchObject({ code: 403, status: { reason: "Forbidden" } });
    expect(refused.status.message).toMatch(
      /^pods "denied" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
    expect(fake.kube.pod(NS, "denied")).toBeUndefined();
  });

  it("measures the peak requests per sliding second, overall and per verb", () => {
    const at = (ms: number, verb: string) => ({ at: ms, verb });
    const rates = requestRates([
      at(0, "create"),
      at(500, "create"),
      at(999, "list"),
      at(1000, "create"),
      at(1999, "create"),
      at(3000, "watch"),
    ]);
    // (-1, 999] and (0, 1000] hold 3 each; 0 and 1000 are a whole second apart, never in one window.
    expect(rates.peak).toBe(3);
    expect(Object.fromEntries(rates.byVerb)).toEqual({ create: 2, list: 1, watch: 1 });
    expect(peakInWindow([])).toBe(0);
  });
});
