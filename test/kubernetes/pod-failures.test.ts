// Issue 5 point 4: a try fails fast with the reason on the task, and the Pod's warning events are
// appended to its log. Each case is the fake kubelet's realistic status, seen through the watch.
import { describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { readLog, waitForLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { KubeExecutorFixture, nodeScript, outcomeOf, podTask } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default"] });

const cleanup = useCleanup();

const reasonOf = (event: { type: string; reason?: string }) => (event.type === "failed" ? event.reason : "");

/** A task that prints a line, then waits until it is stopped, handling SIGTERM as a polite process does. */
const longTask = (fields: Record<string, unknown> = {}) =>
  podTask({
    command: nodeScript(
      "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(143); }); console.log('working'); setInterval(() => {}, 1000);",
    ),
    ...fields,
  });

describe("failures the kubelet reports", () => {
  it("evicted: failed with the eviction message, the Evicted event in the log", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(longTask());
    await executor.start(launch);
    await waitForLog(launch.logFile, "working");
    kube.evict("default", podNameFor(key), "The node was low on resource: ephemeral-storage.");
    const outcome = await outcomeOf(recorder, key);
    expect(outcome.type).toBe("failed");
    expect(reasonOf(outcome)).toBe("evicted: The node was low on resource: ephemeral-storage.");
    expect(await readLog(launch.logFile)).toContain(
      "[updraft] pod event: Warning Evicted: The node was low on resource: ephemeral-storage.",
    );
  });

  it("CreateContainerConfigError (a missing secret): failed after the grace with that reason, never running", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ configErrorGraceMs: 1500 });
    const { key, launch } = await fixture.launch(podTask({ image: "fake/config-error:1" }));
    await executor.start(launch);
    // The Pod sits in CreateContainerConfigError (the kubelet retries it) before the try gives up.
    await waitFor("the Pod waiting in CreateContainerConfigError", () =>
      kube.pod("default", podNameFor(key))?.status.containerStatuses?.[0]?.state.waiting?.reason ===
      "CreateContainerConfigError"
        ? true
        : undefined,
    );
    const outcome = await outcomeOf(recorder, key);
    expect(outcome).toMatchObject({ type: "failed", exitCode: null });
    expect(reasonOf(outcome)).toBe('CreateContainerConfigError: secret "fake-config-error" not found');
    expect(recorder.of(key).map((e) => e.type)).toEqual(["failed"]);
    expect(await readLog(launch.logFile)).toContain(
      '[updraft] pod event: Warning Failed: Error: secret "fake-config-error" not found',
    );
  });

  it("ErrImageNeverPull: failed at once, naming it", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(
      podTask({ image: "fake/never-pull:1", startupTimeout: "10m" }),
    );
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key);
    expect(reasonOf(outcome)).toMatch(
      /^ErrImageNeverPull: Container image "fake\/never-pull:1" is not present/,
    );
  });

  it("unschedulable: failed after startupTimeout naming Unschedulable, FailedScheduling in the log", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(
      podTask({ image: "fake/unschedulable:1", startupTimeout: "1s" }),
    );
    await executor.start(launch);
    const outcome = await outcomeOf(recorder, key);
    expect(reasonOf(outcome)).toMatch(/^the pod did not start within 1s \(startupTimeout\): Unschedulable/);
    expect(await readLog(launch.logFile)).toMatch(/\[updraft\] pod event: Warning FailedScheduling: /);
  });

  it("deleted by someone else with a grace period: the reason says so, not the container's SIGTERM exit code", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const { key, launch } = await fixture.launch(longTask());
    await executor.start(launch);
    await waitForLog(launch.logFile, "working");
    // As `kubectl delete pod` does: a graceful delete; the container ends 143 on SIGTERM.
    await fixture
      .core()
      .deleteNamespacedPod({ namespace: "default", name: podNameFor(key), gracePeriodSeconds: 5 });
    const outcome = await outcomeOf(recorder, key);
    expect(outcome.type).toBe("failed");
    expect(reasonOf(outcome)).toMatch(/^the pod was deleted by someone else before it finished/);
    expect(await readLog(launch.logFile)).toContain("got SIGTERM");
  });
});
