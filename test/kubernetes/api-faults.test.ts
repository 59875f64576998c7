// Issue 5 points 3 and 10: status comes from one shared watch per namespace (no per-pod GETs); cut
// watches resume, 410 re-lists, a stalled watch is caught up by the periodic re-list; API 5xx,
// dropped connections and long outages are retried, and a try fails only for a reason about itself.
import { writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import type { RequestInfo } from "../support/fake-kube/api/request-info.ts";
import { readLog, waitForLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });

// Registered before the cleanup, so it runs after it (after-hooks run in reverse).
afterEach(() => kube.clearFaults());
const cleanup = useCleanup();

const podWatch = (r: RequestInfo) => r.resource === "pods" && r.verb === "watch";
const podList = (r: RequestInfo) => r.resource === "pods" && r.verb === "list";

/** Prints a line, waits for a file, prints another: the test decides when the task ends. */
async function gatedTask() {
  const gate = `${await cleanup.tempDir("gate")}/release`;
  const task = podTask({
    command: nodeScript(
      `console.log("started"); const fs = require("node:fs"); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(gate)})) { clearInterval(t); console.log("done"); } }, 20);`,
    ),
  });
  return { task, release: () => writeFile(gate, "") };
}

describe("one shared watch", () => {
  it("follows 8 Pods in a namespace with one list and one watch, and no per-pod GET", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ defaultNamespace: "shared", relistMs: 60_000 });
    const before = kube.requests.length;
    const tries = await Promise.all(
      Array.from({ length: 8 }, () => fixture.launch(podTask({ image: "fake/sleep:300" }))),
    );
    await Promise.all(tries.map(({ launch }) => executor.start(launch)));
    for (const { key } of tries) expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished" });
    const mine = kube.requests.slice(before).filter((r) => r.namespace === "shared");
    const count = (verb: string) => mine.filter((r) => r.resource === "pods" && r.verb === verb).length;
    expect(count("watch")).toBe(1);
    expect(count("list")).toBe(1);
    expect(count("get")).toBe(0);
    expect(count("create")).toBe(8);
  });
});

describe("watch trouble", () => {
  it("a watch cut mid-run (dropped connection, then 503s on the way back) does not lose the outcome", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { task, release } = await gatedTask();
    const { key, launch } = await fixture.launch(task);
    await executor.start(launch);
    await waitForLog(launch.logFile, "started");
    kube.failNext((r) => podWatch(r) || podList(r), 503, 2);
    expect(kube.cutWatches({ abrupt: true })).toBeGreaterThanOrEqual(1);
    await release();
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    expect(recorder.of(key).map((e) => e.type)).toEqual(["running", "finished"]);
    expect(await readLog(launch.logFile)).toBe("started\ndone\n");
  });

  it("410 Gone after a cut (history compacted) re-lists and carries on", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ relistMs: 60_000 });
    const { task, release } = await gatedTask();
    const { key, launch } = await fixture.launch(task);
    await executor.start(launch);
    await waitForLog(launch.logFile, "started");
    const lists = kube.requests.filter(podList).length;
    // The watch comes back only after the Pod has changed and the history was compacted: its
    // resourceVersion is then too old.
    const undelay = kube.delay(podWatch, 3000);
    cleanup.defer(undelay);
    kube.cutWatches();
    await release();
    await waitFor("the Pod to succeed", () =>
      kube.pod("default", podNameFor(key))?.status.phase === "Succeeded" ? true : undefined,
    );
    kube.compact();
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    // The re-list came from the 410, not from the periodic timer (a minute away).
    expect(kube.requests.filter(podList).length).toBeGreaterThan(lists);
  });

  it("a watch that stalls without an error (events missed) is caught up by the periodic re-list", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ relistMs: 1500 });
    const { task, release } = await gatedTask();
    const { key, launch } = await fixture.launch(task);
    await executor.start(launch);
    await waitForLog(launch.logFile, "started");
    // Every new watch hangs before answering: no events reach the executor from now on.
    const undelay = kube.delay(podWatch, 120_000);
    cleanup.defer(undelay);
    kube.cutWatches();
    await release();
    await waitFor("the Pod to succeed", () =>
      kube.pod("default", podNameFor(key))?.status.phase === "Succeeded" ? true : undefined,
    );
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    undelay();
  });
});

describe("API errors", () => {
  it("a create whose answer is lost (connection dropped after it took effect) is retried, meets 409, adopts: one Pod", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(podTask({ image: "fake/sleep:200" }));
    const creates = () =>
      kube.requests.filter((r) => r.verb === "create" && r.resource === "pods" && r.namespace === "default");
    const before = creates().length;
    kube.dropNext((r) => r.verb === "create" && r.resource === "pods", 1, { after: true });
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    expect(
      creates()
        .slice(before)
        .map((r) => r.code),
    ).toEqual([undefined, 409]);
    expect(recorder.of(key).map((e) => e.type)).toEqual(["running", "finished"]);
  });

  it("an API away longer than one call's retries (12 × 503 on create) delays the try, does not fail it", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(podTask({ image: "fake/sleep:100" }));
    kube.failNext((r) => r.verb === "create" && r.resource === "pods", 503, 12);
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });
    expect(kube.requests.filter((r) => r.verb === "create" && r.code === 503).length).toBe(12);
  });

  it("creates still waiting for a turn are not sent once the executor is closed (shutdown, leadership lost)", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor } = fixture.executor({ createConcurrency: 1 });
    const creates = () => kube.requests.filter((r) => r.verb === "create" && r.resource === "pods");
    const before = creates().length;
    const undelay = kube.delay((r) => r.verb === "create" && r.resource === "pods", 1500);
    cleanup.defer(undelay);
    const first = await fixture.launch(podTask({ image: "fake/sleep:100" }));
    const second = await fixture.launch(podTask({ image: "fake/sleep:100" }));
    await executor.start(first.launch);
    await executor.start(second.launch);
    // One create is on its way (held by the fake); the other waits for its turn. Which one goes
    // first depends on how the two starts interleave, so the test does not assume it.
    await waitFor("the first create to reach the API", () => (creates().length > before ? true : undefined));
    await executor.close();
    await waitFor("the first create to be answered", () =>
      creates()
        .slice(before)
        .every((r) => r.code !== undefined)
        ? true
        : undefined,
    );
    // Longer than a create takes here: had the second been sent, it would be in the journal by now.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(creates().slice(before)).toHaveLength(1);
    const created = [first, second].filter((task) => kube.pod("default", podNameFor(task.key)));
    expect(created).toHaveLength(1);
  });

  it("a create the API refuses for good (403 Forbidden) fails the try at once with the API's message", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(podTask({ image: "fake/sleep:100" }));
    const creates = () => kube.requests.filter((r) => r.verb === "create" && r.resource === "pods");
    const before = creates().length;
    kube.failNext((r) => r.verb === "create" && r.resource === "pods", 403, 1, {
      message:
        'pods is forbidden: User "system:serviceaccount:updraft:updraft" cannot create resource "pods"',
    });
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key);
    expect(outcome).toMatchObject({ type: "failed", exitCode: null });
    expect(outcome.type === "failed" && outcome.reason).toMatch(
      /^Kubernetes refused the pod: .*cannot create resource "pods"/,
    );
    // Not retried: a 403 is about the request, not a blink of the API.
    expect(
      creates()
        .slice(before)
        .map((r) => r.code),
    ).toEqual([403]);
    expect(kube.pod("default", podNameFor(key))).toBeUndefined();
  });

  it("500s on the log read, the events list and the delete are retried: complete log, Pod deleted", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(
      podTask({ command: nodeScript("console.log('one'); console.log('two'); process.exit(4);") }),
    );
    const name = podNameFor(key);
    kube.failNext((r) => r.resource === "pods/log" && r.name === name, 500, 2);
    kube.failNext((r) => r.resource === "events", 500, 1);
    kube.failNext((r) => r.verb === "delete" && r.name === name, 503, 2);
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key);
    expect(outcome).toMatchObject({ type: "failed", exitCode: 4, reason: "exit code 4" });
    expect(await readLog(launch.logFile)).toMatch(/^one\ntwo\n/);
    await waitFor("Pod deleted", () => (kube.pod("default", name) ? undefined : true));
    expect(kube.requests.filter((r) => r.verb === "delete" && r.name === name).map((r) => r.code)).toEqual([
      503, 503, 200,
    ]);
  });
});
