/** podVerdict: realistic Pod statuses, as the kubelet reports them, read the way an operator would. */
import type { V1ContainerState, V1Pod, V1PodCondition, V1PodStatus } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type PodVerdict, podVerdict, type VerdictClock } from "../../src/kubernetes/pod-verdict.ts";

const T0 = Date.parse("2026-11-21T20:08:32Z");
const STARTUP_TIMEOUT_MS = 120_000;
const CONFIG_GRACE_MS = 10_000;
const IMAGE = "registry.example.com/test/nodejobs:1.0.0";

function clock(elapsedMs: number): VerdictClock {
  return {
    startedMs: T0,
    nowMs: T0 + elapsedMs,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    configErrorGraceMs: CONFIG_GRACE_MS,
  };
}

const at = (ms: number) => new Date(T0 + ms);

const scheduled: V1PodCondition = { type: "PodScheduled", status: "True", lastTransitionTime: at(100) };

function podWith(status: V1PodStatus): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "node-jobs-test-task-44b3621b-1", namespace: "jobs", resourceVersion: "4711" },
    spec: { restartPolicy: "Never", containers: [{ name: "base", image: IMAGE }] },
    status,
  };
}

function base(state: V1ContainerState, extra: { ready?: boolean; restartCount?: number } = {}) {
  return {
    name: "base",
    image: IMAGE,
    imageID: state.waiting ? "" : `${IMAGE}@sha256:${"ab".repeat(32)}`,
    ready: extra.ready ?? false,
    restartCount: extra.restartCount ?? 0,
    started: Boolean(state.running),
    state,
  };
}

/** A Pod whose container waits with `reason`/`message`, as the kubelet reports it. */
function waitingPod(reason: string, message?: string): V1Pod {
  return podWith({
    phase: "Pending",
    conditions: [
      scheduled,
      {
        type: "ContainersReady",
        status: "False",
        reason: "ContainersNotReady",
        message: "containers with unready status: [base]",
      },
    ],
    hostIP: "10.0.3.17",
    podIP: "10.244.1.23",
    startTime: at(200),
    containerStatuses: [base({ waiting: message ? { reason, message } : { reason } })],
  });
}

function terminatedPod(
  phase: "Succeeded" | "Failed",
  terminated: { exitCode: number; reason?: string; message?: string },
): V1Pod {
  return podWith({
    phase,
    conditions: [scheduled],
    startTime: at(200),
    containerStatuses: [
      base({
        terminated: {
          ...terminated,
          startedAt: at(3_000),
          finishedAt: at(9_000),
          containerID: `containerd://${"9f".repeat(32)}`,
        },
      }),
    ],
  });
}

describe("podVerdict: phases and container states", () => {
  it.each<[string, V1Pod, PodVerdict]>([
    ["a pod not yet scheduled", podWith({ phase: "Pending" }), { kind: "waiting", reason: null }],
    [
      "a scheduled pod without container statuses yet",
      podWith({ phase: "Pending", conditions: [scheduled], startTime: at(200) }),
      { kind: "waiting", reason: null },
    ],
    ["ContainerCreating", waitingPod("ContainerCreating"), { kind: "waiting", reason: "ContainerCreating" }],
    [
      "a running container",
      podWith({
        phase: "Running",
        conditions: [scheduled, { type: "Ready", status: "True" }],
        startTime: at(200),
        containerStatuses: [base({ running: { startedAt: at(3_000) } }, { ready: true })],
      }),
      { kind: "running" },
    ],
    [
      "Succeeded, exit 0",
      terminatedPod("Succeeded", { exitCode: 0, reason: "Completed" }),
      { kind: "succeeded" },
    ],
    [
      "Failed, exit 3",
      terminatedPod("Failed", { exitCode: 3, reason: "Error" }),
      { kind: "failed", exitCode: 3, reason: "exit code 3" },
    ],
    [
      "OOMKilled",
      terminatedPod("Failed", { exitCode: 137, reason: "OOMKilled" }),
      {
        kind: "failed",
        exitCode: 137,
        reason: "OOMKilled: the container exceeded its memory limit (exit code 137)",
      },
    ],
    [
      "a command that could not start",
      terminatedPod("Failed", {
        exitCode: 128,
        reason: "StartError",
        message:
          'failed to create containerd task: failed to create shim task: OCI runtime create failed: exec: "nodee": executable file not found in $PATH',
      }),
      { kind: "failed", exitCode: 128, reason: "exit code 128 (StartError)" },
    ],
    [
      "Succeeded without container statuses (the pod object was trimmed)",
      podWith({ phase: "Succeeded" }),
      { kind: "succeeded" },
    ],
    [
      "Failed without container statuses, rejected by the node",
      podWith({
        phase: "Failed",
        reason: "NodeAffinity",
        message: "Pod was rejected: Predicate NodeAffinity failed",
      }),
      {
        kind: "failed",
        exitCode: null,
        reason: "the pod failed: Pod was rejected: Predicate NodeAffinity failed",
      },
    ],
  ])("%s", (_what, pod, verdict) => {
    expect(podVerdict(pod, clock(5_000))).toStrictEqual(verdict);
  });

  it("reads the base container, not a sidecar that keeps the pod Running", () => {
    const pod = podWith({
      phase: "Running",
      containerStatuses: [
        {
          name: "istio-proxy",
          image: "docker.io/istio/proxyv2:1.24.0",
          imageID: "",
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: at(2_000) } },
        },
        base({
          terminated: { exitCode: 0, reason: "Completed", startedAt: at(3_000), finishedAt: at(9_000) },
        }),
      ],
    });
    expect(podVerdict(pod, clock(10_000))).toStrictEqual({ kind: "succeeded" });
    const failing = structuredClone(pod);
    const container = failing.status?.containerStatuses?.[1];
    if (container) container.state = { terminated: { exitCode: 2, reason: "Error" } };
    expect(podVerdict(failing, clock(10_000))).toStrictEqual({
      kind: "failed",
      exitCode: 2,
      reason: "exit code 2",
    });
  });

  it("a terminal verdict does not wait for startupTimeout and does not expire", () => {
    const pod = terminatedPod("Failed", { exitCode: 1, reason: "Error" });
    expect(podVerdict(pod, clock(0))).toStrictEqual({ kind: "failed", exitCode: 1, reason: "exit code 1" });
    expect(podVerdict(pod, clock(STARTUP_TIMEOUT_MS * 10))).toStrictEqual({
      kind: "failed",
      exitCode: 1,
      reason: "exit code 1",
    });
    const running = podWith({
      phase: "Running",
      containerStatuses: [base({ running: { startedAt: at(1) } })],
    });
    expect(podVerdict(running, clock(STARTUP_TIMEOUT_MS * 10))).toStrictEqual({ kind: "running" });
  });
});

describe("podVerdict: evicted", () => {
  const message =
    "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 9804Mi. Container base was using 12Gi, request is 0, has larger consumption of ephemeral-storage.";

  it("fails with the eviction message and the container's exit code", () => {
    const pod = podWith({
      phase: "Failed",
      reason: "Evicted",
      message,
      startTime: at(200),
      containerStatuses: [
        base({
          terminated: {
            exitCode: 137,
            reason: "ContainerStatusUnknown",
            message: "The container could not be located when the pod was terminated",
          },
        }),
      ],
    });
    expect(podVerdict(pod, clock(60_000))).toStrictEqual({
      kind: "failed",
      exitCode: 137,
      reason: `evicted: ${message}`,
    });
  });

  it("fails without container statuses", () => {
    const pod = podWith({ phase: "Failed", reason: "Evicted", message });
    expect(podVerdict(pod, clock(60_000))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `evicted: ${message}`,
    });
  });
});

describe("podVerdict: waiting reasons that never heal fail at once", () => {
  it.each([
    [
      "InvalidImageName",
      'Failed to apply default image tag "registry.example.com/test/NodeJobs:1.0.0": couldn\'t parse image reference "registry.example.com/test/NodeJobs:1.0.0": invalid reference format: repository name must be lowercase',
    ],
    ["ErrImageNeverPull", 'Container image "test/nodejobs:1.0.0" is not present with pull policy of Never'],
  ])("%s", (reason, message) => {
    expect(podVerdict(waitingPod(reason, message), clock(1_500))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `${reason}: ${message}`,
    });
  });

  it("names the reason alone when there is no message", () => {
    expect(podVerdict(waitingPod("InvalidImageName"), clock(0))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: "InvalidImageName",
    });
  });
});

describe("podVerdict: CreateContainerConfigError fails after a short grace", () => {
  const pod = waitingPod("CreateContainerConfigError", 'secret "db-credentials" not found');

  it("waits before configErrorGraceMs", () => {
    expect(podVerdict(pod, clock(CONFIG_GRACE_MS - 1))).toStrictEqual({
      kind: "waiting",
      reason: 'CreateContainerConfigError: secret "db-credentials" not found',
    });
  });

  it("fails from configErrorGraceMs on, long before startupTimeout", () => {
    for (const elapsed of [CONFIG_GRACE_MS, CONFIG_GRACE_MS + 1]) {
      expect(podVerdict(pod, clock(elapsed))).toStrictEqual({
        kind: "failed",
        exitCode: null,
        reason: 'CreateContainerConfigError: secret "db-credentials" not found',
      });
    }
  });
});

describe("podVerdict: pull errors and unschedulable pods fail after startupTimeout", () => {
  const pullMessage = `rpc error: code = NotFound desc = failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": ${IMAGE}: not found`;

  it.each([
    ["ErrImagePull", pullMessage],
    ["ImagePullBackOff", `Back-off pulling image "${IMAGE}"`],
  ])("%s waits before startupTimeout and fails after it", (reason, message) => {
    const pod = waitingPod(reason, message);
    expect(podVerdict(pod, clock(STARTUP_TIMEOUT_MS - 1))).toStrictEqual({
      kind: "waiting",
      reason: `${reason}: ${message}`,
    });
    expect(podVerdict(pod, clock(STARTUP_TIMEOUT_MS))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `the pod did not start within 120s (startupTimeout): ${reason}: ${message}`,
    });
  });

  it("names the task's own startupTimeout", () => {
    const pod = waitingPod("ImagePullBackOff", `Back-off pulling image "${IMAGE}"`);
    const verdict = podVerdict(pod, { ...clock(90_000), startupTimeoutMs: 90_000 });
    expect(verdict).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `the pod did not start within 90s (startupTimeout): ImagePullBackOff: Back-off pulling image "${IMAGE}"`,
    });
  });

  const unschedulableMessage =
    "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
  const unschedulable = podWith({
    phase: "Pending",
    conditions: [
      {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message: unschedulableMessage,
        lastTransitionTime: at(150),
      },
    ],
  });

  it("an unschedulable pod waits, naming Unschedulable, then fails after startupTimeout", () => {
    expect(podVerdict(unschedulable, clock(STARTUP_TIMEOUT_MS - 1))).toStrictEqual({
      kind: "waiting",
      reason: `Unschedulable: ${unschedulableMessage}`,
    });
    expect(podVerdict(unschedulable, clock(STARTUP_TIMEOUT_MS + 5_000))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `the pod did not start within 120s (startupTimeout): Unschedulable: ${unschedulableMessage}`,
    });
  });

  it("a pod still scheduling (PodScheduled False, not Unschedulable) is not called unschedulable", () => {
    const pod = podWith({
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated", message: "waiting" }],
    });
    expect(podVerdict(pod, clock(1_000))).toStrictEqual({ kind: "waiting", reason: null });
  });

  it("a pod that stays Pending without any reason fails after startupTimeout too", () => {
    expect(podVerdict(podWith({ phase: "Pending" }), clock(STARTUP_TIMEOUT_MS))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: "the pod did not start within 120s (startupTimeout)",
    });
  });
});

describe("podVerdict: init containers, native sidecars and injected containers (issue 14)", () => {
  const PROXY = "docker.io/istio/proxyv2:1.22.0";
  const other = (name: string, state: V1ContainerState, started = Boolean(state.running)) => ({
    name,
    image: PROXY,
    imageID: "",
    ready: started,
    restartCount: 0,
    started,
    state,
  });
  const initializing = base({ waiting: { reason: "PodInitializing" } });
  /** A Pod with a regular init container `migrate` and a native sidecar `shipper`. */
  const withInit = (status: V1PodStatus): V1Pod => {
    const pod = podWith(status);
    pod.spec!.initContainers = [
      { name: "migrate", image: IMAGE },
      { name: "shipper", image: IMAGE, restartPolicy: "Always" },
    ];
    return pod;
  };
  const completed = { terminated: { exitCode: 0, reason: "Completed", startedAt: at(1), finishedAt: at(2) } };

  it("never reads another container when base has no status: an ended istio-proxy listed alone decides nothing", () => {
    const pod = podWith({
      phase: "Running",
      containerStatuses: [other("istio-proxy", { terminated: { exitCode: 0, reason: "Completed" } })],
    });
    expect(podVerdict(pod, clock(5_000))).toStrictEqual({ kind: "waiting", reason: null });
  });

  it("base ended while a native sidecar still runs (phase Running): base's outcome", () => {
    const status = (code: number): V1PodStatus => ({
      phase: "Running",
      initContainerStatuses: [
        other("migrate", completed),
        other("shipper", { running: { startedAt: at(3) } }),
      ],
      containerStatuses: [
        base({
          terminated: {
            exitCode: code,
            reason: code === 0 ? "Completed" : "Error",
            startedAt: at(4),
            finishedAt: at(9),
          },
        }),
      ],
    });
    expect(podVerdict(withInit(status(0)), clock(10_000))).toStrictEqual({ kind: "succeeded" });
    expect(podVerdict(withInit(status(6)), clock(10_000))).toStrictEqual({
      kind: "failed",
      exitCode: 6,
      reason: "exit code 6",
    });
  });

  it.each([
    [{ exitCode: 3, reason: "Error" }, 'init container "migrate" failed with exit code 3'],
    [
      { exitCode: 137, reason: "OOMKilled" },
      'init container "migrate" failed with exit code 137 (OOMKilled)',
    ],
  ])("a failed init container fails the try with its name and exit code (%o)", (terminated, reason) => {
    const pod = withInit({
      phase: "Failed",
      initContainerStatuses: [
        other("migrate", { terminated: { ...terminated, startedAt: at(1), finishedAt: at(2) } }),
        other("shipper", { waiting: { reason: "PodInitializing" } }),
      ],
      containerStatuses: [initializing],
    });
    expect(podVerdict(pod, clock(5_000))).toStrictEqual({
      kind: "failed",
      exitCode: terminated.exitCode,
      reason,
      initContainer: "migrate",
    });
  });

  it("an init container that cannot be pulled: waiting, naming it, then failed after startupTimeout", () => {
    const message = 'Back-off pulling image "registry.example.com/migrate:1"';
    const pod = withInit({
      phase: "Pending",
      initContainerStatuses: [
        other("migrate", { waiting: { reason: "ImagePullBackOff", message } }),
        other("shipper", { waiting: { reason: "PodInitializing" } }),
      ],
      containerStatuses: [initializing],
    });
    const why = `init container "migrate": ImagePullBackOff: ${message}`;
    expect(podVerdict(pod, clock(5_000))).toStrictEqual({ kind: "waiting", reason: why });
    expect(podVerdict(pod, clock(STARTUP_TIMEOUT_MS))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `the pod did not start within 120s (startupTimeout): ${why}`,
    });
  });

  it("a sidecar with an image never to be pulled fails at once, naming the sidecar", () => {
    const message = 'Container image "fake/never-pull:1" is not present with pull policy of Never';
    const pod = withInit({
      phase: "Pending",
      initContainerStatuses: [
        other("migrate", completed),
        other("shipper", { waiting: { reason: "ErrImageNeverPull", message } }),
      ],
      containerStatuses: [initializing],
    });
    expect(podVerdict(pod, clock(1_000))).toStrictEqual({
      kind: "failed",
      exitCode: null,
      reason: `sidecar "shipper": ErrImageNeverPull: ${message}`,
    });
  });

  it("a sidecar that crashed and restarts does not fail the try, nor block a running base", () => {
    const pod = withInit({
      phase: "Running",
      initContainerStatuses: [
        other("migrate", completed),
        {
          ...other("shipper", { waiting: { reason: "CrashLoopBackOff" } }),
          lastState: { terminated: { exitCode: 1, reason: "Error" } },
          restartCount: 1,
        },
      ],
      containerStatuses: [base({ running: { startedAt: at(3_000) } })],
    });
    expect(podVerdict(pod, clock(5_000))).toStrictEqual({ kind: "running" });
  });
});
