import { describe, expect, it } from "vitest";
import { type TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { KubernetesExecutor } from "../../src/kubernetes/kubernetes-executor.ts";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import {
  type ContractTask,
  describeExecutorContract,
  EventRecorder,
  readLog,
} from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import type { FakeKube } from "../support/fake-kube/fake-kube.ts";
import { useFakeKubeServer } from "../support/fake-kube/fake-kube-fixture.ts";
import { waitFor } from "../support/wait-for.ts";
import { nodeLaunch } from "../executor/node-launch.ts";
import { podTaskIn } from "../support/pod-task.ts";
import { acknowledgeOutcomes } from "./support/executor-fixture.ts";

const kube = useFakeKubeServer({ namespaces: ["default", "jobs"] });

const taskDefinition = (fields: Record<string, unknown> = {}): TaskDefinition =>
  podTaskIn("contract", fields);
const launchOf = (task: ContractTask, definition: TaskDefinition = taskDefinition()): TaskLaunch =>
  nodeLaunch(task, definition);

function executorOn(fake: FakeKube, tryIsActive: (key: TaskKey) => boolean = () => true): KubernetesExecutor {
  return new KubernetesExecutor({
    api: createKubeApi(fake.kubeConfig(), { retryBaseMs: 20 }),
    defaultNamespace: "default",
    tryIsActive,
    relistMs: 2000,
    cancelGraceSeconds: 1,
    createRetryMs: 100,
  });
}

// No scheduler acknowledges: a restart in the contract is one before the outcome was stored.
describeExecutorContract(
  "KubernetesExecutor (fake API server)",
  () => executorOn(kube),
  (task) => launchOf(task),
);

describe("KubernetesExecutor", () => {
  const cleanup = useCleanup();
  let sequence = 0;

  async function setUp(
    task: TaskDefinition = taskDefinition(),
    script = "console.log('hello from the pod')",
  ) {
    const dir = await cleanup.tempDir("kube-executor");
    sequence += 1;
    const key: TaskKey = { dagId: "contract", runId: `kube__manual__${sequence}`, taskId: "task", try: 1 };
    const launch = launchOf({ key, script, logFile: `${dir}/try-1.log`, snapshot: dir }, task);
    const executor = executorOn(kube);
    const recorder = new EventRecorder(executor);
    cleanup.defer(() => executor.close());
    cleanup.defer(recorder.stop);
    // As the scheduler does once it stored the outcome.
    cleanup.defer(acknowledgeOutcomes(executor));
    return { key, launch, executor, recorder };
  }

  const outcomeOf = (recorder: EventRecorder) =>
    waitFor("an outcome", () => recorder.events.find((event) => event.type !== "running"));

  it("creates exactly one Pod per try, named deterministically, and deletes it once its outcome is stored (onFinish delete)", async () => {
    const { key, launch, executor, recorder } = await setUp();
    const creates = kube.countRequests?.({ verb: "create", resource: "pods" }) ?? 0;
    await executor.start(launch);
    await executor.start(launch);
    const outcome = await outcomeOf(recorder);
    expect(outcome).toMatchObject({ type: "finished", exitCode: 0 });
    expect((kube.countRequests?.({ verb: "create", resource: "pods" }) ?? 0) - creates).toBe(1);
    expect(await readLog(launch.logFile)).toContain("hello from the pod");
    await waitFor("pod deleted", () =>
      kube.pod("default", podNameFor(key)) === undefined ? true : undefined,
    );
  });

  it("fails fast with InvalidImageName, without a running event, and appends pod events to the log", async () => {
    // updraft's own validation rejects such a reference at load time; this is the kubelet's view of
    // one that slipped through (an image the node cannot parse).
    const { launch, executor, recorder } = await setUp({ ...taskDefinition(), image: "Fake/Invalid:1" });
    await executor.start(launch);
    const outcome = await outcomeOf(recorder);
    expect(outcome).toMatchObject({ type: "failed", exitCode: null });
    expect(outcome.type === "failed" && outcome.reason).toContain("InvalidImageName");
    expect(recorder.events.some((event) => event.type === "running")).toBe(false);
  });

  it("fails an image that cannot be pulled after startupTimeout, naming the reason", async () => {
    const { launch, executor, recorder } = await setUp(
      taskDefinition({ image: "fake/pull-error:1", startupTimeout: "1s" }),
    );
    await executor.start(launch);
    const outcome = await outcomeOf(recorder);
    expect(outcome.type).toBe("failed");
    expect(outcome.type === "failed" && outcome.reason).toMatch(
      /did not start within 1s.*(ErrImagePull|ImagePullBackOff)/,
    );
    expect(await readLog(launch.logFile)).toMatch(/pod event: .*(Failed|BackOff)/);
  });

  it("reports OOMKilled from the terminated state", async () => {
    const { launch, executor, recorder } = await setUp(taskDefinition({ image: "fake/oom:1" }));
    await executor.start(launch);
    const outcome = await outcomeOf(recorder);
    expect(outcome).toMatchObject({ type: "failed", exitCode: 137 });
    expect(outcome.type === "failed" && outcome.reason).toContain("OOMKilled");
  });

  it("fails the try when someone else deletes its Pod", async () => {
    const { key, launch, executor, recorder } = await setUp(undefined, "setTimeout(() => {}, 60000)");
    await executor.start(launch);
    await waitFor("running", () => recorder.events.find((event) => event.type === "running"));
    await kube
      .kubeConfig()
      .makeApiClient((await import("@kubernetes/client-node")).CoreV1Api)
      .deleteNamespacedPod({
        namespace: "default",
        name: podNameFor(key),
        gracePeriodSeconds: 0,
      });
    const outcome = await outcomeOf(recorder);
    expect(outcome.type === "failed" && outcome.reason).toContain("deleted by someone else");
  });

  it("adopts a running Pod after a restart (409 AlreadyExists) and follows it to completion", async () => {
    const { launch, executor, recorder } = await setUp(
      undefined,
      "console.log('before restart'); setTimeout(() => console.log('after restart'), 1500)",
    );
    await executor.start(launch);
    await waitFor("first line", async () =>
      (await readLog(launch.logFile)).includes("before restart") ? true : undefined,
    );
    await executor.close();
    const restarted = executorOn(kube);
    const after = new EventRecorder(restarted);
    cleanup.defer(() => restarted.close());
    cleanup.defer(after.stop);
    const creates = kube.countRequests?.({ verb: "create", resource: "pods" }) ?? 0;
    await restarted.start(launch);
    const outcome = await outcomeOf(after);
    expect(outcome).toMatchObject({ type: "finished", exitCode: 0 });
    // One create request, answered 409: the same Pod, not a second one.
    expect((kube.countRequests?.({ verb: "create", resource: "pods" }) ?? 0) - creates).toBe(1);
    const log = await readLog(launch.logFile);
    expect(log.match(/before restart/g)).toHaveLength(1);
    expect(log.match(/after restart/g)).toHaveLength(1);
    void recorder;
  });

  it("keeps going through API errors: a 503 on create is retried, the task still succeeds once", async () => {
    const { launch, executor, recorder } = await setUp();
    kube.failNext(/\/pods$/, 503, 2);
    await executor.start(launch);
    const outcome = await outcomeOf(recorder);
    expect(outcome).toMatchObject({ type: "finished", exitCode: 0 });
    expect(recorder.events.filter((event) => event.type !== "running")).toHaveLength(1);
  });

  it("sweeps managed Pods whose try state no longer expects", async () => {
    const { launch, executor } = await setUp(
      taskDefinition({ onFinish: "keep" }),
      "setTimeout(() => {}, 60000)",
    );
    await executor.start(launch);
    // start() returns once the try is registered; the Pod is created in the background.
    await waitFor("the orphan-to-be created", () => kube.pod("default", podNameFor(launch)));
    const sweeper = executorOn(kube, () => false);
    cleanup.defer(() => sweeper.close());
    // The sweeper watches the namespace once it has started something there.
    const other = await setUp(undefined, "console.log('x')");
    await sweeper.start(other.launch);
    const deleted = await sweeper.sweep();
    expect(deleted).toBeGreaterThanOrEqual(1);
    await waitFor("orphan gone", () =>
      kube.pod("default", podNameFor(launch)) === undefined ? true : undefined,
    );
  });
});
