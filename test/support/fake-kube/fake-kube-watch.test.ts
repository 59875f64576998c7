import { makeInformer, Watch, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { waitFor } from "../wait-for.ts";
import { podOf, useFakeKube } from "./fake-kube-fixture.ts";

const NS = "default";
const PODS_PATH = `/api/v1/namespaces/${NS}/pods`;

interface Seen {
  events: Array<{
    type: string;
    name?: string;
    rv?: string;
    object: KubernetesObject & { code?: number; reason?: string; message?: string };
  }>;
  done: Array<unknown>;
}

/** Starts a Watch of the official client and records what it calls back with. */
async function watch(
  fake: ReturnType<typeof useFakeKube>,
  query: Record<string, string | number | boolean | undefined>,
): Promise<Seen & { abort: () => void }> {
  const seen: Seen = { events: [], done: [] };
  const controller = await new Watch(fake.kube.kubeConfig()).watch(
    PODS_PATH,
    query,
    (type, object: KubernetesObject) =>
      seen.events.push({ type, name: object.metadata?.name, rv: object.metadata?.resourceVersion, object }),
    (err) => seen.done.push(err),
  );
  return { ...seen, abort: () => controller.abort() };
}

describe("Watch of the official client", () => {
  const fake = useFakeKube({ historySize: 50 });

  it("gets ADDED, MODIFIED and DELETED in order for the selected pods, from a resourceVersion", async () => {
    const list = await fake.core.listNamespacedPod({ namespace: NS });
    const w = await watch(fake, {
      labelSelector: "app=w",
      resourceVersion: list.metadata?.resourceVersion,
      allowWatchBookmarks: true,
    });
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("other", ["true"]) });
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("w1", ["node", "-e", "setTimeout(() => {}, 200)"], { labels: { app: "w" } }),
    });
    await waitFor("w1 DELETED", () => {
      if (fake.kube.pod(NS, "w1")?.status.phase === "Succeeded") fake.kube.deletePod(NS, "w1");
      return w.events.some((e) => e.type === "DELETED") || undefined;
    });
    w.abort();
    const changes = w.events.filter((e) => e.type !== "BOOKMARK");
    expect(changes.map((e) => e.name)).toEqual(changes.map(() => "w1"));
    expect(changes[0]?.type).toBe("ADDED");
    expect(changes.at(-1)?.type).toBe("DELETED");
    expect(changes.slice(1, -1).every((e) => e.type === "MODIFIED")).toBe(true);
    expect(changes.map((e) => (e.object as V1Pod).status?.phase)).toContain("Running");
    const rvs = changes.map((e) => Number(e.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(new Set(rvs).size).toBe(rvs.length);
  });

  it("starts with synthetic ADDED events without a resourceVersion", async () => {
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("a", ["true"]) });
    const w = await watch(fake, {});
    await waitFor("the ADDED event", () => w.events.find((e) => e.type === "ADDED" && e.name === "a"));
    w.abort();
  });

  it("answers a compacted resourceVersion with a 410 Expired ERROR event and closes", async () => {
    const list = await fake.core.listNamespacedPod({ namespace: NS });
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("x", ["true"]) });
    fake.kube.compact();
    const w = await watch(fake, { resourceVersion: list.metadata?.resourceVersion });
    await waitFor("the watch to end", () => (w.done.length > 0 ? true : undefined), { timeoutMs: 5000 });
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe("ERROR");
    expect(w.events[0]?.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(w.events[0]?.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    expect(w.done).toEqual([null]);
  });

  it("answers a resourceVersion older than the kept history with 410", async () => {
    const list = await fake.core.listNamespacedPod({ namespace: NS });
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("busy", ["true"]) });
    for (let i = 0; i < 60; i++) {
      await fake.core.patchNamespacedPod({
        namespace: NS,
        name: "busy",
        body: [{ op: "add", path: "/metadata/labels", value: { n: String(i) } }],
      });
    }
    const w = await watch(fake, { resourceVersion: list.metadata?.resourceVersion });
    await waitFor("the watch to end", () => (w.done.length > 0 ? true : undefined), { timeoutMs: 5000 });
    expect(w.events.map((e) => [e.type, e.object.code])).toEqual([["ERROR", 410]]);
  });

  it("refuses a resourceVersion from the future (another server's history) with 504", async () => {
    const w = await watch(fake, { resourceVersion: "999999" });
    await waitFor("the watch to fail", () => w.done[0], { timeoutMs: 5000 });
    expect(w.done[0]).toMatchObject({ statusCode: 504 });
    expect(w.events).toEqual([]);
  });

  it("ends open watches on cutWatches: done(null) for a clean end, done(error) for a dropped connection", async () => {
    const clean = await watch(fake, {});
    const dropped = await watch(fake, {});
    await waitFor("both watches open", () => (fake.kube.openWatches === 2 ? true : undefined));
    expect(fake.kube.cutWatches()).toBe(2);
    await waitFor("done", () => (clean.done.length > 0 && dropped.done.length > 0 ? true : undefined));
    expect(clean.done).toEqual([null]);

    const again = await watch(fake, {});
    await waitFor("open", () => (fake.kube.openWatches === 1 ? true : undefined));
    fake.kube.cutWatches({ abrupt: true });
    await waitFor("done", () => (again.done.length > 0 ? true : undefined));
    expect(again.done[0]).toBeInstanceOf(Error);
  });

  it("closes a watch after timeoutSeconds", async () => {
    const w = await watch(fake, { timeoutSeconds: 1 });
    await waitFor("the timeout", () => (w.done.length > 0 ? true : undefined), { timeoutMs: 5000 });
    expect(w.done).toEqual([null]);
  });
});

describe("bookmarks", () => {
  const fake = useFakeKube({ bookmarkIntervalMs: 50 });

  it("sends BOOKMARK events with the current resourceVersion when asked", async () => {
    await fake.core.createNamespacedPod({ namespace: NS, body: podOf("b", ["true"]) });
    const w = await watch(fake, { allowWatchBookmarks: true });
    const quiet = await watch(fake, {});
    const mark = await waitFor("a bookmark", () => w.events.find((e) => e.type === "BOOKMARK"));
    expect(mark.object).toMatchObject({ kind: "Pod", apiVersion: "v1" });
    expect(Number(mark.rv)).toBeGreaterThan(0);
    expect(quiet.events.some((e) => e.type === "BOOKMARK")).toBe(false);
    w.abort();
    quiet.abort();
  });
});

describe("makeInformer of the official client", () => {
  const fake = useFakeKube();

  it("lists, watches, resumes after a cut watch and re-lists after 410", async () => {
    const kc = fake.kube.kubeConfig();
    const informer = makeInformer(
      kc,
      PODS_PATH,
      () => fake.core.listNamespacedPod({ namespace: NS, labelSelector: "app=i" }),
      "app=i",
    );
    const added: string[] = [];
    const deleted: string[] = [];
    const errors: unknown[] = [];
    informer.on("add", (p) => added.push(p.metadata?.name ?? ""));
    informer.on("delete", (p) => deleted.push(p.metadata?.name ?? ""));
    informer.on("error", (e) => errors.push(e));
    await fake.core.createNamespacedPod({
      namespace: NS,
      body: podOf("i1", ["true"], { labels: { app: "i" } }),
    });
    try {
      await informer.start();
      await waitFor("i1 listed", () => (added.includes("i1") ? true : undefined));
      await fake.core.createNamespacedPod({
        namespace: NS,
        body: podOf("i2", ["true"], { labels: { app: "i" } }),
      });
      await waitFor("i2 watched", () => (added.includes("i2") ? true : undefined));

      fake.kube.cutWatches();
      await waitFor("a new watch", () => (fake.kube.openWatches === 1 ? true : undefined));
      await fake.core.createNamespacedPod({
        namespace: NS,
        body: podOf("i3", ["true"], { labels: { app: "i" } }),
      });
      await waitFor("i3 after the cut", () => (added.includes("i3") ? true : undefined));

      // Hold the informer's next watch while changes happen and the history is compacted under it.
      const release = fake.kube.delay((r) => r.verb === "watch", 300);
      fake.kube.cutWatches();
      await fake.core.deleteNamespacedPod({ namespace: NS, name: "i1" });
      await fake.core.createNamespacedPod({
        namespace: NS,
        body: podOf("i4", ["true"], { labels: { app: "i" } }),
      });
      fake.kube.compact();
      release();
      await waitFor("i4 after the re-list", () =>
        added.includes("i4") && deleted.includes("i1") ? true : undefined,
      );
      expect(fake.kube.countRequests({ verb: "list", resource: "pods" })).toBe(2);
      expect(
        informer
          .list(NS)
          .map((p) => p.metadata?.name)
          .sort(),
      ).toEqual(["i2", "i3", "i4"]);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it("stops for good after a dropped connection: only its error callback hears of it", async () => {
    const informer = makeInformer(fake.kube.kubeConfig(), PODS_PATH, () =>
      fake.core.listNamespacedPod({ namespace: NS }),
    );
    const errors: Array<Error & { code?: string }> = [];
    informer.on("error", (e) => errors.push(e as Error & { code?: string }));
    try {
      await informer.start();
      await waitFor("the watch", () => (fake.kube.openWatches === 1 ? true : undefined));
      fake.kube.cutWatches({ abrupt: true });
      await waitFor("the error", () => errors[0]);
      expect(errors[0]?.code).toBe("ERR_STREAM_PREMATURE_CLOSE");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(fake.kube.openWatches).toBe(0);
    } finally {
      await informer.stop();
    }
  });
});
