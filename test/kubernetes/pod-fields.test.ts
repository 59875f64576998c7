// Issue 5 point 1: every pod({...}) field reaches the Pod the API stores, through the executor and the
// official client; the seed's node_jobs DAG, loaded and triggered by a real daemon, becomes the Pod a
// KubernetesPodOperator user would expect.
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { readLog } from "../executor/executor-contract.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { useFakeKubeServer, writeKubeconfig } from "../support/fake-kube/fake-kube-fixture.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import {
  KubeExecutorFixture,
  outcomeOf,
  podTask,
  recordPods,
  nodeScript,
} from "./support/executor-fixture.ts";

const SEED_DAGS = fileURLToPath(new URL("../../dags/kubernetes_pod_operator", import.meta.url));

const kube = useFakeKubeServer({ namespaces: ["default", "jobs", "analytics"] });

const cleanup = useCleanup();

describe("every pod({...}) field in the Pod the API stores", () => {
  it("image, command, templated args, env, namespace, pull secrets, volumes, mounts, resources, metadata, scheduling, service account; restartPolicy Never", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor();
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] },
          ],
        },
      },
    };
    const task = podTask({
      image: "registry.example.com/analytics/report:2.4.1",
      // `--` ends node's own options: the args that follow are the script's.
      command: [
        ...nodeScript(
          "console.log('argv ' + JSON.stringify(process.argv.slice(1))); console.log('region ' + process.env.REGION);",
        ),
        "--",
      ],
      args: ["--day={{ ds }}", "--conf={{ dag_run.conf }}", "{{ dag_run.conf.region }}"],
      env: { REGION: "{{ dag_run.conf.region }}", MODE: "full" },
      namespace: "analytics",
      imagePullSecrets: ["regcred", { name: "mirror-cred" }],
      volumes: [
        { name: "scratch", emptyDir: { sizeLimit: "1Gi" } },
        { name: "settings", configMap: { name: "report-settings" } },
        { name: "creds", secret: { secretName: "report-creds" } },
      ],
      volumeMounts: [
        { name: "scratch", mountPath: "/scratch" },
        { name: "settings", mountPath: "/etc/report", readOnly: true },
        { name: "creds", mountPath: "/var/run/creds", readOnly: true },
      ],
      resources: { requests: { cpu: "250m", memory: "128Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
      annotations: { "sidecar.istio.io/inject": "false", "example.com/owner": "analytics" },
      labels: { team: "analytics", "example.com/cost-center": "cc-42" },
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [
        { key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" },
        { key: "spot", operator: "Exists" },
      ],
      affinity,
      serviceAccountName: "report-runner",
      onFinish: "keep",
    });
    const { key, launch } = await fixture.launch(task, { region: "eu-west-1" });
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished", exitCode: 0 });

    const pod = await fixture.core().readNamespacedPod({ namespace: "analytics", name: podNameFor(key) });
    const spec = pod.spec!;
    const [container, ...others] = spec.containers;
    expect(others).toEqual([]);
    expect(pod.metadata?.namespace).toBe("analytics");
    expect(spec.restartPolicy).toBe("Never");
    expect(container?.name).toBe("base");
    expect(container?.image).toBe("registry.example.com/analytics/report:2.4.1");
    expect(container?.command).toEqual(task.command);
    expect(container?.args).toEqual(["--day=2026-05-01", '--conf={"region":"eu-west-1"}', "eu-west-1"]);
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: "REGION", value: "eu-west-1" },
        { name: "MODE", value: "full" },
        { name: "UPDRAFT_TRY_NUMBER", value: "1" },
      ]),
    );
    expect(spec.imagePullSecrets).toEqual([{ name: "regcred" }, { name: "mirror-cred" }]);
    expect(spec.volumes).toEqual(
      expect.arrayContaining([
        { name: "scratch", emptyDir: { sizeLimit: "1Gi" } },
        expect.objectContaining({
          name: "settings",
          configMap: expect.objectContaining({ name: "report-settings" }),
        }),
        expect.objectContaining({
          name: "creds",
          secret: expect.objectContaining({ secretName: "report-creds" }),
        }),
      ]),
    );
    expect(container?.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "scratch", mountPath: "/scratch" },
        { name: "settings", mountPath: "/etc/report", readOnly: true },
        { name: "creds", mountPath: "/var/run/creds", readOnly: true },
      ]),
    );
    // As the API server canonicalises quantities: 1000m is stored as 1.
    expect(container?.resources).toEqual({
      requests: { cpu: "250m", memory: "128Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    expect(pod.metadata?.annotations).toMatchObject({
      "sidecar.istio.io/inject": "false",
      "example.com/owner": "analytics",
    });
    expect(pod.metadata?.labels).toMatchObject({
      team: "analytics",
      "example.com/cost-center": "cc-42",
      "app.kubernetes.io/managed-by": "updraft",
      "updraft.dev/dag": "kube_tests",
      "updraft.dev/task": "task",
      "updraft.dev/try": "1",
    });
    expect(spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    // The API adds its default not-ready/unreachable tolerations after the task's own.
    expect(spec.tolerations?.slice(0, 2)).toEqual([
      { key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" },
      { key: "spot", operator: "Exists" },
    ]);
    expect(spec.affinity).toEqual(affinity);
    expect(spec.serviceAccountName).toBe("report-runner");
    // The fields reached the process too: templated args and env as the container saw them.
    const log = await readLog(launch.logFile);
    expect(log).toContain('argv ["--day=2026-05-01","--conf={\\"region\\":\\"eu-west-1\\"}","eu-west-1"]');
    expect(log).toContain("region eu-west-1");
  });

  it("puts a task without a namespace in the executor's default namespace (--namespace)", async () => {
    const fixture = new KubeExecutorFixture(kube, cleanup);
    const { executor, recorder } = fixture.executor({ defaultNamespace: "jobs" });
    const { key, launch } = await fixture.launch(podTask({ image: "fake/exit:0", onFinish: "keep" }));
    await executor.start(launch);
    expect(await outcomeOf(recorder, key)).toMatchObject({ type: "finished" });
    expect(kube.pod("jobs", podNameFor(key))).toBeDefined();
    expect(kube.pod("default", podNameFor(key))).toBeUndefined();
  });
});

describe("the seed's node_jobs DAG (dags/kubernetes_pod_operator/sample_dag.ts) on a daemon", () => {
  const savedEnv = { KUBECONFIG: process.env.KUBECONFIG, DB_USER: process.env.DB_USER };
  afterEach(() => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("becomes the Pod a KubernetesPodOperator user expects, the run's conf as its first argument", async () => {
    const dir = await cleanup.tempDir("seed-kube");
    const kubeconfig = await writeKubeconfig(kube, dir);
    // The daemon reads its Kubernetes access from KUBECONFIG. DB_USER in the environment must not
    // reach the Pod: the DAG references the db Secret instead.
    process.env.KUBECONFIG = kubeconfig;
    process.env.DB_USER = "orders_rw";
    const pods = await recordPods(kube, "jobs", cleanup);
    const daemon = await startTestDaemon(cleanup, ["--dags", SEED_DAGS, "--executor", "kubernetes"]);
    await waitFor("node_jobs loaded", async () =>
      (await daemon.dags()).some((d) => d.id === "node_jobs") ? true : undefined,
    );
    const conf = { orders: [1042, 1043], mode: "full" };
    const triggered = await daemon.request("/api/dags/node_jobs/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf }),
    });
    expect(triggered.status, triggered.text).toBe(201);
    const runId = (triggered.body as { runId: string }).runId;
    const name = podNameFor({ dagId: "node_jobs", runId, taskId: "test_task", try: 1 });
    const pod = await waitFor(`Pod ${name} announced`, () => pods.get(name), {
      details: () => [...pods.keys()],
    });

    expect(pod.metadata).toMatchObject({
      name,
      namespace: "jobs",
      labels: {
        "app.kubernetes.io/managed-by": "updraft",
        "updraft.dev/dag": "node_jobs",
        "updraft.dev/task": "test_task",
        "updraft.dev/run": expect.any(String),
        "updraft.dev/try": "1",
      },
      annotations: { "sidecar.istio.io/inject": "false", "updraft.dev/run-id": runId },
    });
    expect(name.length).toBeLessThanOrEqual(63);
    const spec = pod.spec!;
    expect(spec.restartPolicy).toBe("Never");
    expect(spec.containers).toHaveLength(1);
    const [container] = spec.containers;
    expect(container).toMatchObject({
      name: "base",
      image: "test/nodejobs:1.0.0",
      command: ["node", "services/service/nodejobs.js"],
      args: [JSON.stringify(conf)],
      volumeMounts: expect.arrayContaining([{ name: "sample-data", mountPath: "/sample-data" }]),
      resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    });
    expect(JSON.parse(container?.args?.[0] ?? "null")).toEqual(conf);
    expect(container?.env).toEqual(
      expect.arrayContaining([{ name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } }]),
    );
    expect(JSON.stringify(pod)).not.toContain("orders_rw");
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: "sample-data", emptyDir: {} }]));
    // ENV unset is the seed's "local" mode: no pull secret.
    expect(spec.imagePullSecrets ?? []).toEqual([]);
    // One Pod for the try: no worker pod in between (the seed's double start).
    expect([...pods.keys()].filter((n) => n.startsWith("node-jobs-"))).toEqual([name]);
    // The container's command is not in the fake's process (no such script): try 1 fails and waits
    // for its retry. Waiting for that lets the daemon finish writing the try's log before cleanup.
    const settled = await waitFor("try 1 over, the run showing the Pod name", async () => {
      const current = (await daemon.request(`/api/runs/${runId}`)).body as {
        tasks: Array<{ podName?: string; state: string }>;
      };
      const task = current.tasks[0];
      return task && task.state !== "queued" && task.state !== "running" ? task : undefined;
    });
    expect(settled).toMatchObject({ podName: name, state: "up_for_retry" });
  });
});
