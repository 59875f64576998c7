/**
 * A KubernetesExecutor on the fake API server, through the official client, with one helper per
 * thing these tests do: build a task through the real DAG schema, render its templates as the
 * scheduler does, start it and wait for its outcome.
 */
import { CoreV1Api, type V1Pod, Watch } from "@kubernetes/client-node";
import { type TaskDefinition } from "../../../src/dags/spec/dag-schema.ts";
import type { ExecutorEvent, TaskKey, TaskLaunch } from "../../../src/executor/executor.ts";
import { createKubeApi, type KubeApi } from "../../../src/kubernetes/kube-api.ts";
import {
  KubernetesExecutor,
  type KubernetesExecutorOptions,
} from "../../../src/kubernetes/kubernetes-executor.ts";
import { renderTaskTemplates } from "../../../src/scheduler/templating.ts";
import { EventRecorder } from "../../executor/executor-contract.ts";
import type { Cleanup } from "../../support/cleanup.ts";
import type { FakeKube } from "../../support/fake-kube/fake-kube.ts";
import { waitFor } from "../../support/wait-for.ts";
import { podTaskIn } from "../../support/pod-task.ts";

export const LOGICAL_DATE = "2026-05-01T10:00:00.000Z";

/** One `pod({...})` task as the daemon loads it (the real schema fills defaults and validates). */
export function podTask(fields: Record<string, unknown> = {}, dagId = "kube_tests"): TaskDefinition {
  return podTaskIn(dagId, fields);
}

/** What the scheduler hands the executor: templates rendered with the run's conf. */
export function launchFor(
  task: TaskDefinition,
  key: TaskKey,
  logFile: string,
  conf: Record<string, unknown> = {},
): TaskLaunch {
  const rendered = renderTaskTemplates(task, {
    conf,
    logicalDate: LOGICAL_DATE,
    runId: key.runId,
    dagId: key.dagId,
    taskId: key.taskId,
    tryNumber: key.try,
    results: {},
  });
  if (!rendered.ok) throw new Error(rendered.error);
  return { ...key, task, ...rendered.value, snapshot: "/tmp", logFile, logicalDate: LOGICAL_DATE };
}

/** `node -e <script>` as a container command (the fake kubelet really runs it). */
export const nodeScript = (script: string): string[] => [process.execPath, "-e", script];

/** Run ids are unique across fixtures in a test file: Pod names derive from them. */
let sequence = 0;

export type ExecutorTuning = Partial<Omit<KubernetesExecutorOptions, "api">> & {
  /** No scheduler stands behind it: no outcome is acknowledged as stored, so no finished Pod is deleted. */
  unacknowledged?: boolean;
};

/**
 * Stands for the scheduler: acknowledges each ended try as stored (`stored`) right after its event,
 * as a scheduler whose state writes were instant. Returns the unsubscribe.
 */
export function acknowledgeOutcomes(executor: KubernetesExecutor): () => void {
  return executor.subscribe((event) => {
    if (event.type !== "running") setImmediate(() => executor.stored([event.key]));
  });
}

/** Executors on one fake, each closed (with its event recorder) by `cleanup`. */
export class KubeExecutorFixture {
  constructor(
    private readonly kube: FakeKube,
    private readonly cleanup: Cleanup,
  ) {}

  /** `editPod` changes each Pod on its way to the API (containers buildPod does not emit, say). */
  executor(
    tuning: ExecutorTuning = {},
    editPod?: (pod: V1Pod) => V1Pod,
    wrapApi: (api: KubeApi) => KubeApi = (api) => api,
  ): { executor: KubernetesExecutor; recorder: EventRecorder } {
    const { unacknowledged, ...options } = tuning;
    const api = createKubeApi(this.kube.kubeConfig(), { retryBaseMs: 20 });
    const executor = new KubernetesExecutor({
      api: wrapApi(
        editPod ? { ...api, createPod: (namespace, pod) => api.createPod(namespace, editPod(pod)) } : api,
      ),
      defaultNamespace: "default",
      tryIsActive: () => true,
      relistMs: 2000,
      cancelGraceSeconds: 5,
      createRetryMs: 100,
      configErrorGraceMs: 1000,
      ...options,
    });
    const recorder = new EventRecorder(executor);
    this.cleanup.defer(() => executor.close());
    this.cleanup.defer(recorder.stop);
    if (!unacknowledged) this.cleanup.defer(acknowledgeOutcomes(executor));
    return { executor, recorder };
  }

  /** A fresh key (unique run id) and log file for `task`. */
  async launch(
    task: TaskDefinition,
    conf: Record<string, unknown> = {},
    tryNumber = 1,
  ): Promise<{ key: TaskKey; launch: TaskLaunch }> {
    const dir = await this.cleanup.tempDir("kube-fixture");
    sequence += 1;
    const key: TaskKey = {
      dagId: "kube_tests",
      runId: `kube_tests__manual__${process.pid}_${sequence}`,
      taskId: "task",
      try: tryNumber,
    };
    return { key, launch: launchFor(task, key, `${dir}/try-${tryNumber}.log`, conf) };
  }

  /** The official client's CoreV1Api on the fake, as a user (or kubectl) would use it. */
  core(): CoreV1Api {
    return this.kube.kubeConfig().makeApiClient(CoreV1Api);
  }
}

/** The try's finished or failed event. */
export function outcomeOf(recorder: EventRecorder, key: TaskKey, timeoutMs = 30_000): Promise<ExecutorEvent> {
  return waitFor(
    `an outcome for ${key.runId}`,
    () => recorder.of(key).find((event) => event.type !== "running"),
    { timeoutMs, details: () => recorder.of(key) },
  );
}

/**
 * Records every Pod in `namespace` the first time the API announces it, as the API stored it
 * (defaults applied), through the official client's Watch: the Pod may be deleted right after.
 */
export async function recordPods(
  kube: FakeKube,
  namespace: string,
  cleanup: Cleanup,
): Promise<Map<string, V1Pod>> {
  const seen = new Map<string, V1Pod>();
  const request = await new Watch(kube.kubeConfig()).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (type, pod: V1Pod) => {
      const name = pod.metadata?.name;
      if (type === "ADDED" && name && !seen.has(name)) seen.set(name, pod);
    },
    () => undefined,
  );
  cleanup.defer(() => request.abort());
  return seen;
}
