// Issue 14 point 7: the daemon's requests to the API server share one token bucket (client-go's
// --kube-qps/--kube-burst), and a 429's Retry-After is waited out before asking again. Time is the
// test's own clock, shared by the limiter, the client's retries and the fake's request journal, so
// the rates the fake measures are exact, not a matter of how busy the machine is.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { LogFollower } from "../../src/kubernetes/log-follower.ts";
import { RequestLimiter } from "../../src/kubernetes/request-limiter.ts";
import { FakeClock } from "../leader/fakes.ts";
import { startFakeKubeFor } from "../support/fake-kube/fake-kube-fixture.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup();

/** A fake API server, and the official client on it, both on `clock`. */
async function clientOn(clock: FakeClock, rate: { qps: number; burst: number }) {
  const kube = await startFakeKubeFor(cleanup, { namespaces: ["default"], now: () => clock.now() });
  const limiter = new RequestLimiter(rate, clock);
  const api = createKubeApi(kube.kubeConfig(), { retryBaseMs: 1, clock, limiter });
  return { kube, api };
}

const pod = (name: string) => ({
  metadata: { name },
  // Sleeps far longer than the test: the fake kubelet runs it without a process.
  spec: { restartPolicy: "Never", containers: [{ name: "base", image: "fake/sleep:3600000" }] },
});

describe("the request rate limit", () => {
  it("sends nothing that was still waiting for its turn when the API was closed (attack pass)", async () => {
    const clock = new FakeClock();
    const { kube, api } = await clientOn(clock, { qps: 1, burst: 1 });
    const creates = () => kube.countRequests({ verb: "create", resource: "pods" });
    await api.createPod("default", pod("first"));
    const waiting = api.createPod("default", pod("second")).then(
      () => "sent",
      (error: Error) => error.message,
    );
    // The executor closes (shutdown, leadership lost) while the second create waits for a token.
    api.close?.();
    await clock.advance(2000);
    expect(await waiting).toBe("create_pod: the executor closed before its turn came");
    expect(creates()).toBe(1);
    expect(kube.pod("default", "second")).toBeUndefined();
  });

  it("2,000 creates at once reach the API at most qps + burst in any second (qps 50, burst 40)", async () => {
    const clock = new FakeClock();
    const qps = 50;
    const burst = 40;
    const total = 2000;
    const { kube, api } = await clientOn(clock, { qps, burst });
    const creates = () => kube.countRequests({ verb: "create", resource: "pods" });
    const all = Promise.all(
      Array.from({ length: total }, (_, i) => api.createPod("default", pod(`burst-${i}`))),
    );
    const start = clock.now();
    // Each step lets the released requests reach the fake before the clock moves on.
    while (creates() < total) {
      const due = Math.min(total, burst + Math.floor(((clock.now() - start) * qps) / 1000));
      await waitFor(`${due} creates at the fake`, () => (creates() >= due ? true : undefined), {
        everyMs: 1,
        details: creates,
      });
      await clock.advance(100);
    }
    const answers = await all;
    expect(answers.filter((a) => a.created)).toHaveLength(total);
    const rates = kube.requestRates((r) => r.verb === "create");
    expect(rates.peak).toBeLessThanOrEqual(qps + burst);
    // The burst was spent at once (a stricter limiter would be wrong too), and no faster than qps after.
    expect(rates.peak).toBeGreaterThan(qps);
    const stamps = kube.requests.filter((r) => r.verb === "create").map((r) => r.at - start);
    expect(stamps.filter((at) => at === 0)).toHaveLength(burst);
    expect(Math.max(...stamps)).toBeGreaterThanOrEqual(((total - burst) / qps) * 1000);
  });

  it("Lease calls and creates share the bucket; a Lease call goes before the queued creates", async () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ qps: 10, burst: 1 }, clock);
    const order: string[] = [];
    const creates = [1, 2, 3].map((n) => limiter.take().then(() => order.push(`create ${n}`)));
    const lease = limiter.take({ lane: "lease" }).then(() => order.push("lease"));
    await clock.advance(300);
    await Promise.all([...creates, lease]);
    expect(order).toEqual(["create 1", "lease", "create 2", "create 3"]);
  });
});

describe("lanes: what starts tries goes first", () => {
  it("creates asked for after deletes and log reads reach the API server before them", async () => {
    const clock = new FakeClock();
    const { kube, api } = await clientOn(clock, { qps: 10, burst: 1 });
    // The create takes the one token: everything below waits its turn.
    await api.createPod("default", pod("done-1"));
    const order: string[] = [];
    const note = (name: string) => () => void order.push(name);
    const calls = [api.deletePod("default", "done-1", 0).then(note("delete done-1"))];
    calls.push(api.listPodEvents("default", "done-1").then(note("events done-1")));
    for (const name of ["due-1", "due-2", "due-3"])
      calls.push(api.createPod("default", pod(name)).then(note(name)));
    await clock.advance(1000);
    await Promise.all(calls);
    const sent = kube.requests
      .filter((r) => r.namespace === "default")
      .map((r) => `${r.verb} ${r.resource} ${r.name ?? ""}`.trim());
    expect(sent.slice(1)).toEqual([
      "create pods",
      "create pods",
      "create pods",
      "delete pods done-1",
      "list events",
    ]);
    expect(order).toEqual(["due-1", "due-2", "due-3", "delete done-1", "events done-1"]);
  });

  it("a log follow still waiting for its turn when the try ends is never sent; the final read has the log", async () => {
    const clock = new FakeClock();
    const { kube, api } = await clientOn(clock, { qps: 1, burst: 1 });
    const dir = await cleanup.tempDir("follow-lane");
    await api.createPod("default", {
      metadata: { name: "quick" },
      spec: {
        restartPolicy: "Never",
        containers: [
          { name: "base", image: "node", command: [process.execPath, "-e", "console.log('all of it')"] },
        ],
      },
    });
    await waitFor("the container to end", () =>
      kube.pod("default", "quick")?.status?.phase === "Succeeded" ? true : undefined,
    );
    // The create took the one token: the follow waits for the next, a second away.
    const logFile = path.join(dir, "try-1.log");
    const follower = new LogFollower(api, { namespace: "default", pod: "quick", container: "base", logFile });
    follower.start();
    const finishing = follower.finish();
    await clock.advance(2000);
    await finishing;
    const logRequests = kube.requests.filter((r) => r.resource === "pods/log");
    expect(logRequests.map((r) => r.query.follow ?? "false")).toEqual(["false"]);
    expect(await readFile(logFile, "utf8")).toBe("all of it\n");
  });
});

describe("429 Too Many Requests", () => {
  it("waits the Retry-After (3 s) before asking again, although the backoff would retry after 1 ms", async () => {
    const clock = new FakeClock();
    const { kube, api } = await clientOn(clock, { qps: 1000, burst: 1000 });
    const start = clock.now();
    kube.failNext((r) => r.verb === "list" && r.resource === "pods", 429, 1, { retryAfterSeconds: 3 });
    const listing = api.listPods("default", "app=x");
    const lists = () => kube.requests.filter((r) => r.verb === "list" && r.resource === "pods");
    await waitFor("the 429", () => (lists()[0]?.code === 429 ? true : undefined), { everyMs: 5 });
    await clock.advance(2999);
    await clock.advance(1);
    await listing;
    expect(lists().map((r) => [r.code, r.at - start])).toEqual([
      [429, 0],
      [200, 3000],
    ]);
  });

  it("caps a Retry-After at 60 s", async () => {
    const clock = new FakeClock();
    const { kube, api } = await clientOn(clock, { qps: 1000, burst: 1000 });
    const start = clock.now();
    kube.failNext((r) => r.verb === "list" && r.resource === "pods", 429, 1, { retryAfterSeconds: 3600 });
    const listing = api.listPods("default", "app=x");
    const lists = () => kube.requests.filter((r) => r.verb === "list" && r.resource === "pods");
    await waitFor("the 429", () => (lists()[0]?.code === 429 ? true : undefined), { everyMs: 5 });
    await clock.advance(60_000);
    await listing;
    expect(lists().map((r) => [r.code, r.at - start])).toEqual([
      [429, 0],
      [200, 60_000],
    ]);
  });
});
