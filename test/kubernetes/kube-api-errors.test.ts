// The Kubernetes API layer reports each failed call (retried ones included) by verb and status,
// except the answers its callers expect (409 on create: adoption; 404 on delete: already gone).
import { describe, expect, it } from "vitest";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { createPrometheusMetrics } from "../../src/metrics/prometheus-metrics.ts";
import { podOf, useFakeKube } from "../support/fake-kube/fake-kube-fixture.ts";
import { parseScrape } from "../metrics/scrape.ts";

const fake = useFakeKube();
const NS = "default";

function apiWithMetrics() {
  const metrics = createPrometheusMetrics({ dags: () => ({ loaded: 0, importErrors: 0 }) });
  const api = createKubeApi(fake.kube.kubeConfig(), { retryBaseMs: 1, metrics });
  const errors = async (verb: string, code: string) =>
    parseScrape(await metrics.text()).value("updraft_executor_api_errors_total", { verb, code }) ?? 0;
  return { api, errors };
}

describe("updraft_executor_api_errors_total", () => {
  it("counts transient failures that were retried, by verb and status", async () => {
    const { api, errors } = apiWithMetrics();
    fake.kube.failNext(/\/pods$/, 503, 2, { method: "GET" });
    await api.listPods(NS, "app=x");
    expect(await errors("list_pods", "503")).toBe(2);
    fake.kube.dropNext(/\/pods$/, 1, { method: "POST" });
    await api.createPod(NS, podOf("dropped", ["true"]));
    expect(await errors("create_pod", "network")).toBe(1);
  });

  it("counts a refusal once (it is not retried)", async () => {
    const { api, errors } = apiWithMetrics();
    fake.kube.failNext(/\/pods$/, 403, 1, { method: "POST" });
    await expect(api.createPod(NS, podOf("refused", ["true"]))).rejects.toThrow();
    expect(await errors("create_pod", "403")).toBe(1);
  });

  it("does not count the 409 of an adopted pod or the 404 of a pod already gone", async () => {
    const { api, errors } = apiWithMetrics();
    await api.createPod(NS, podOf("twice", ["true"]));
    const again = await api.createPod(NS, podOf("twice", ["true"]));
    expect(again.created).toBe(false);
    await api.deletePod(NS, "never-existed", 0);
    expect(await errors("create_pod", "409")).toBe(0);
    expect(await errors("delete_pod", "404")).toBe(0);
  });
});
