// Issue 5 points 7 and 8: cancel deletes the Pod with a grace period and leaves no orphan (even when the
// create is still on its way); onFinish delete / delete-succeeded / keep; the sweep deletes managed
// Pods no try expects and nothing else.
import { describe, expect, it } from "vitest";
import type { TaskKey } from "../../src/executor/executor.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { readLog, waitForLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });

const cleanup = useCleanup();

const politeTask = (fields: Record<string, unknown> = {}) =>
  podTask({
    command: nodeScript(
      "process.on('SIGTERM', () => { console.log('got SIGTERM, cleaning up'); process.exit(143); }); console.log('working'); setInterval(() => {}, 1000);",
    ),
    ...fields,
  });

const podGone = (key: TaskKey, namespace = "default") =>
  waitFor(`Pod ${podNameFor(key)} gone`, () => (kube.pod(namespace, podNameFor(key)) ? undefined : true));

describe("cancel (timeout, replace, clear)", () => {
  it("deletes the Pod with the grace period: the container gets SIGTERM, the try fails with the reason, no Pod is left", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ cancelGraceSeconds: 7 });
    const { key, launch } = await fixture.launch(politeTask());
    await executor.start(launch);
    await waitForLog(launch.logFile, "working");
    await executor.cancel(key, "timed out after 2s (timeout)");
    const outcome = await outcomeOf(recorder, key);
    expect(outcome).toMatchObject({ type: "failed", reason: "timed out after 2s (timeout)" });
    const deletes = kube.requests.filter((r) => r.verb === "delete" && r.name === podNameFor(key));
    expect(deletes[0]?.query.gracePeriodSeconds).toBe("7");
    // SIGTERM, not SIGKILL: the task had its grace period to clean up, and its words reached the log.
    expect(await readLog(launch.logFile)).toContain("got SIGTERM, cleaning up");
    await podGone(key);
  });

  it("deletes a Pod whose create was still on its way when the cancel came", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(politeTask());
    const undelay = kube.delay(/\/pods$/, 500, { method: "POST" });
    cleanup.defer(undelay);
    const creates = () => kube.countRequests({ verb: "create", resource: "pods" });
    const before = creates();
    const started = executor.start(launch);
    await waitFor("the create request sent", () => (creates() > before ? true : undefined));
    await executor.cancel(key, "cleared by a user");
    await started;
    undelay();
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "failed", reason: "cleared by a user" });
    await podGone(key);
  });
});

describe("onFinish", () => {
  async function finishedPod(onFinish: string, exitCode: number) {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(podTask({ image: `fake/exit:${exitCode}`, onFinish }));
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key);
    expect(outcome.type).toBe(exitCode === 0 ? "finished" : "failed");
    // Cleanup follows the outcome: wait for the delete request, or give it the same chance not to come.
    const deleted = () =>
      kube.requests.some((r) => r.verb === "delete" && r.name === podNameFor(key) && r.code === 200);
    return { key, deleted };
  }

  it.each([
    ["delete", 0, true],
    ["delete", 2, true],
    ["delete-succeeded", 0, true],
  ])("onFinish %s deletes a Pod that ended with exit code %i", async (onFinish, exitCode) => {
    const { key, deleted } = await finishedPod(onFinish, exitCode);
    await podGone(key);
    expect(deleted()).toBe(true);
  });

  it.each([
    ["delete-succeeded", 2],
    ["keep", 0],
    ["keep", 2],
  ])("onFinish %s keeps a Pod that ended with exit code %i", async (onFinish, exitCode) => {
    const { key, deleted } = await finishedPod(onFinish, exitCode);
    // A control task with onFinish delete, started after: its whole life (create, run, delete) takes
    // far longer than this one's cleanup, which is sent right after the outcome event.
    const control = await finishedPod("delete", 0);
    await podGone(control.key);
    expect(deleted()).toBe(false);
    expect(kube.pod("default", podNameFor(key))?.status.phase).toBe(exitCode === 0 ? "Succeeded" : "Failed");
  });
});

describe("the sweep", () => {
  it("deletes managed Pods of finished or unknown tries, keeps the active ones and Pods it does not manage", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    // Pods a previous daemon left behind (onFinish keep), one of them still expected by state.
    const previous = fixture.executor({ defaultNamespace: "sweep" });
    const finished = await fixture.launch(podTask({ image: "fake/exit:0", onFinish: "keep" }));
    const stillActive = await fixture.launch(politeTask());
    const unknown = await fixture.launch(politeTask());
    for (const { launch } of [finished, stillActive, unknown]) await previous.executor.start(launch);
    await outcomeOf(previous.recorder, finished.key);
    await waitForLog(unknown.launch.logFile, "working");
    await waitForLog(stillActive.launch.logFile, "working");
    await previous.executor.close();
    await fixture.core().createNamespacedPod({
      namespace: "sweep",
      body: {
        metadata: { name: "not-ours", labels: { app: "other" } },
        spec: { containers: [{ name: "main", image: "fake/sleep:60000" }] },
      },
    });
    cleanup.defer(() => kube.deletePod("sweep", "not-ours", 0));

    const activeId = stillActive.key.runId;
    const sweeper = fixture.executor({
      defaultNamespace: "sweep",
      tryIsActive: (key) => key.runId === activeId,
    });
    // The sweeper sweeps the namespaces it watches: it watches one once it starts a task there.
    const own = await fixture.launch(podTask({ image: "fake/exit:0" }));
    await sweeper.executor.start(own.launch);
    await outcomeOf(sweeper.recorder, own.key);
    expect(await sweeper.executor.sweep()).toBe(2);
    await podGone(finished.key, "sweep");
    await podGone(unknown.key, "sweep");
    expect(kube.pod("sweep", podNameFor(stillActive.key))?.status.phase).toBe("Running");
    expect(kube.pod("sweep", "not-ours")).toBeDefined();
    kube.deletePod("sweep", podNameFor(stillActive.key), 0);
  });
});
