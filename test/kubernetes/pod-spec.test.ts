/**
 * buildPod: the seed's node_jobs DAG, loaded through the real validation, becomes the Pod a
 * KubernetesPodOperator user would expect; every pod({...}) field lands in its Kubernetes place.
 */
import { describe, expect, it } from "vitest";
import { dagSchema, type TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { PodTaskInput } from "../../src/dags/spec/task-schema.ts";
import type { TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { buildPod, CONTAINER } from "../../src/kubernetes/pod-spec.ts";
import { renderTaskTemplates } from "../../src/scheduler/templating.ts";

const RUN_ID = "node_jobs__manual__20261121T200832Z_899efc";
const LOGICAL_DATE = "2026-11-21T20:08:32.000Z";
const CONF = { orders: [1042, 1043], mode: "full", note: 'say "hi"' };
const CONF_TEXT = '{"orders":[1042,1043],"mode":"full","note":"say \\"hi\\""}';

/** dags/kubernetes_pod_operator/sample_dag.ts with ENV=prod (DB_USER from the db Secret). */
function seedTask(): PodTaskInput {
  return {
    kind: "pod",
    id: "test_task",
    image: "registry.example.com/test/nodejobs:1.0.0",
    imagePullSecrets: [{ name: "regcred" }],
    namespace: "jobs",
    command: ["node", "services/service/nodejobs.js"],
    args: ["{{ dag_run.conf }}"],
    env: { DB_USER: { secretKeyRef: { name: "db", key: "user" } } },
    annotations: { "sidecar.istio.io/inject": "false" },
    volumes: [{ name: "sample-data", emptyDir: {} }],
    volumeMounts: [{ name: "sample-data", mountPath: "/sample-data" }],
    resources: {
      requests: { cpu: "200m", memory: "256Mi" },
      limits: { cpu: "1000m", memory: "1Gi" },
    },
  };
}

/** Loads a one-task DAG the way the daemon does (dagSchema is the one validation path). */
function loadTask(task: PodTaskInput, dagId = "node_jobs"): TaskDefinition {
  const dag = dagSchema.parse({
    kind: "dag",
    id: dagId,
    schedule: null,
    startDate: "2026-11-01",
    catchup: false,
    pausedOnCreation: false,
    owner: "sample",
    retries: 2,
    tasks: [task],
  });
  const [loaded] = dag.tasks;
  if (!loaded) throw new Error("the DAG has no task");
  return loaded;
}

/** What the scheduler hands the executor: templates rendered with the run's conf. */
function launchOf(task: TaskDefinition, key: Partial<TaskKey> = {}): TaskLaunch {
  const full: TaskKey = { dagId: "node_jobs", runId: RUN_ID, taskId: task.id, try: 1, ...key };
  const rendered = renderTaskTemplates(task, {
    conf: CONF,
    logicalDate: LOGICAL_DATE,
    runId: full.runId,
    dagId: full.dagId,
    taskId: full.taskId,
    tryNumber: full.try,
    results: {},
  });
  if (!rendered.ok) throw new Error(rendered.error);
  return {
    ...full,
    task,
    ...rendered.value,
    snapshot: "/tmp/unused-snapshot",
    logFile: "/tmp/unused.log",
    logicalDate: LOGICAL_DATE,
  };
}

const UPDRAFT_ENV = (tryNumber = 1, taskId = "test_task") => [
  { name: "UPDRAFT_DAG_ID", value: "node_jobs" },
  { name: "UPDRAFT_RUN_ID", value: RUN_ID },
  { name: "UPDRAFT_TASK_ID", value: taskId },
  { name: "UPDRAFT_TRY_NUMBER", value: String(tryNumber) },
  { name: "UPDRAFT_LOGICAL_DATE", value: LOGICAL_DATE },
];

describe("buildPod for the seed's node_jobs DAG (ENV=prod)", () => {
  it("builds the whole Pod a KubernetesPodOperator user expects, nothing more", () => {
    const pod = buildPod(launchOf(loadTask(seedTask())), "default");
    expect(pod).toStrictEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "node-jobs-test-task-44b3621b-1",
        namespace: "jobs",
        labels: {
          "app.kubernetes.io/managed-by": "updraft",
          "updraft.dev/dag": "node_jobs",
          "updraft.dev/task": "test_task",
          "updraft.dev/run": RUN_ID,
          "updraft.dev/try": "1",
        },
        annotations: {
          "sidecar.istio.io/inject": "false",
          "updraft.dev/dag-id": "node_jobs",
          "updraft.dev/task-id": "test_task",
          "updraft.dev/run-id": RUN_ID,
          "updraft.dev/try": "1",
        },
      },
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "base",
            image: "registry.example.com/test/nodejobs:1.0.0",
            command: ["node", "services/service/nodejobs.js"],
            args: [CONF_TEXT],
            env: [
              { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
              ...UPDRAFT_ENV(),
            ],
            volumeMounts: [{ name: "sample-data", mountPath: "/sample-data" }],
            resources: {
              requests: { cpu: "200m", memory: "256Mi" },
              limits: { cpu: "1000m", memory: "1Gi" },
            },
          },
        ],
        volumes: [{ name: "sample-data", emptyDir: {} }],
        imagePullSecrets: [{ name: "regcred" }],
      },
    });
    expect(CONTAINER).toBe("base");
    // The conf reaches the container as one argument that parses back to the conf.
    expect(JSON.parse(pod.spec?.containers[0]?.args?.[0] ?? "null")).toStrictEqual(CONF);
  });

  it("names and labels each try on its own", () => {
    const pod = buildPod(launchOf(loadTask(seedTask()), { try: 3 }), "default");
    expect(pod.metadata?.name).toBe("node-jobs-test-task-44b3621b-3");
    expect(pod.metadata?.labels?.["updraft.dev/try"]).toBe("3");
    expect(pod.metadata?.annotations?.["updraft.dev/try"]).toBe("3");
    expect(pod.spec?.containers[0]?.env).toStrictEqual([
      { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
      ...UPDRAFT_ENV(3),
    ]);
  });

  it("passes an imagePullSecrets name given as a plain string as a reference", () => {
    const pod = buildPod(
      launchOf(loadTask({ ...seedTask(), imagePullSecrets: ["regcred", "mirror"] })),
      "default",
    );
    expect(pod.spec?.imagePullSecrets).toStrictEqual([{ name: "regcred" }, { name: "mirror" }]);
  });
});

describe("buildPod, every optional field", () => {
  const scheduling = {
    labels: { team: "data", "app.kubernetes.io/name": "nodejobs" },
    nodeSelector: { "kubernetes.io/os": "linux", "node.example.com/pool": "batch" },
    tolerations: [
      { key: "dedicated", operator: "Equal" as const, value: "batch", effect: "NoSchedule" as const },
      {
        key: "node.kubernetes.io/not-ready",
        operator: "Exists" as const,
        effect: "NoExecute" as const,
        tolerationSeconds: 60,
      },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a"] },
              ],
            },
          ],
        },
      },
    },
    serviceAccountName: "nodejobs-runner",
  };

  it("puts labels, nodeSelector, tolerations, affinity and serviceAccountName where Kubernetes reads them", () => {
    const pod = buildPod(launchOf(loadTask({ ...seedTask(), ...scheduling })), "default");
    expect(pod.metadata?.labels).toStrictEqual({
      team: "data",
      "app.kubernetes.io/name": "nodejobs",
      "app.kubernetes.io/managed-by": "updraft",
      "updraft.dev/dag": "node_jobs",
      "updraft.dev/task": "test_task",
      "updraft.dev/run": RUN_ID,
      "updraft.dev/try": "1",
    });
    expect(pod.spec?.nodeSelector).toStrictEqual(scheduling.nodeSelector);
    expect(pod.spec?.tolerations).toStrictEqual(scheduling.tolerations);
    expect(pod.spec?.affinity).toStrictEqual(scheduling.affinity);
    expect(pod.spec?.serviceAccountName).toBe("nodejobs-runner");
    expect(pod.spec?.restartPolicy).toBe("Never");
  });

  it("omits scheduling keys that were not given (not even as empty values)", () => {
    const spec = buildPod(launchOf(loadTask(seedTask())), "default").spec ?? {};
    for (const key of ["nodeSelector", "tolerations", "affinity", "serviceAccountName"]) {
      expect(Object.keys(spec)).not.toContain(key);
    }
  });

  it("keeps updraft's labels even if a task smuggles a reserved one past validation", () => {
    // The schema refuses it at load time...
    const refused = dagSchema.safeParse({
      kind: "dag",
      id: "node_jobs",
      schedule: null,
      tasks: [{ ...seedTask(), labels: { "app.kubernetes.io/managed-by": "helm" } }],
    });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((issue) => issue.message)).toEqual([
      'key "app.kubernetes.io/managed-by" is set by updraft itself and cannot be overridden',
    ]);
    // ...and buildPod does not let it through either.
    const task = {
      ...loadTask(seedTask()),
      labels: { "app.kubernetes.io/managed-by": "helm", "updraft.dev/run": "other", team: "data" },
    };
    const labels = buildPod(launchOf(task), "default").metadata?.labels;
    expect(labels?.["app.kubernetes.io/managed-by"]).toBe("updraft");
    expect(labels?.["updraft.dev/run"]).toBe(RUN_ID);
    expect(labels?.team).toBe("data");
  });
});

describe("buildPod, minimal task", () => {
  const minimal = loadTask({ kind: "pod", id: "hello", image: "busybox:1.36" }, "node_jobs");

  it("uses the default namespace and the image's entrypoint, with no empty keys", () => {
    const pod = buildPod(launchOf(minimal), "team-a");
    expect(pod).toStrictEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: expect.stringMatching(/^node-jobs-hello-[0-9a-f]{8}-1$/),
        namespace: "team-a",
        labels: {
          "app.kubernetes.io/managed-by": "updraft",
          "updraft.dev/dag": "node_jobs",
          "updraft.dev/task": "hello",
          "updraft.dev/run": RUN_ID,
          "updraft.dev/try": "1",
        },
        annotations: {
          "updraft.dev/dag-id": "node_jobs",
          "updraft.dev/task-id": "hello",
          "updraft.dev/run-id": RUN_ID,
          "updraft.dev/try": "1",
        },
      },
      spec: {
        restartPolicy: "Never",
        containers: [{ name: "base", image: "busybox:1.36", env: UPDRAFT_ENV(1, "hello") }],
      },
    });
  });

  it("has no command key for an empty command but keeps args for the image's entrypoint", () => {
    const task = loadTask({ kind: "pod", id: "hello", image: "busybox:1.36", args: ["--date", "{{ ds }}"] });
    const container = buildPod(launchOf(task), "team-a").spec?.containers[0] ?? { name: "" };
    expect(Object.keys(container)).not.toContain("command");
    expect(container.args).toStrictEqual(["--date", "2026-11-21"]);
  });

  it("uses the task's namespace over the default one", () => {
    const task = loadTask({ kind: "pod", id: "hello", image: "busybox:1.36", namespace: "jobs" });
    expect(buildPod(launchOf(task), "team-a").metadata?.namespace).toBe("jobs");
  });
});

describe("buildPod, issue 14 fields", () => {
  const RESTRICTED = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" as const },
  };

  it("puts a Secret reference in the Pod, never a value, in the order written, UPDRAFT_* last", () => {
    const task = loadTask({
      ...seedTask(),
      env: {
        DB_USER: { secretKeyRef: { name: "db", key: "user" } },
        DAY: "{{ ds }}",
        REGION: { configMapKeyRef: { name: "settings", key: "region", optional: true } },
        POD_NAME: { fieldRef: { fieldPath: "metadata.name" } },
        MEM: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } },
      },
      envFrom: [{ secretRef: { name: "db" } }, { configMapRef: { name: "settings" }, prefix: "CFG_" }],
    });
    const container = buildPod(launchOf(task), "default").spec?.containers[0];
    expect(container?.env).toStrictEqual([
      { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
      { name: "DAY", value: "2026-11-21" },
      { name: "REGION", valueFrom: { configMapKeyRef: { name: "settings", key: "region", optional: true } } },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
      ...UPDRAFT_ENV(),
    ]);
    expect(container?.envFrom).toStrictEqual([
      { secretRef: { name: "db" } },
      { configMapRef: { name: "settings" }, prefix: "CFG_" },
    ]);
  });

  it("never lets a task's env replace an UPDRAFT_* variable, even one that got past validation", () => {
    const task = { ...loadTask(seedTask()), env: { UPDRAFT_RUN_ID: "spoofed", DB_USER: "orders_rw" } };
    const launch = { ...launchOf(task), env: { UPDRAFT_RUN_ID: "spoofed", DB_USER: "orders_rw" } };
    expect(buildPod(launch, "default").spec?.containers[0]?.env).toStrictEqual([
      { name: "DB_USER", value: "orders_rw" },
      ...UPDRAFT_ENV(),
    ]);
  });

  it("puts the task container's and the Pod's security contexts in their places", () => {
    const pod = buildPod(
      launchOf(
        loadTask({
          ...seedTask(),
          securityContext: { ...RESTRICTED, readOnlyRootFilesystem: true },
          podSecurityContext: { runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
        }),
      ),
      "default",
    );
    expect(pod.spec?.containers[0]?.securityContext).toStrictEqual({
      ...RESTRICTED,
      readOnlyRootFilesystem: true,
    });
    expect(pod.spec?.securityContext).toStrictEqual({
      runAsUser: 1000,
      fsGroup: 2000,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("emits init containers in order, then sidecars as native sidecars (restartPolicy Always)", () => {
    const task = loadTask({
      ...seedTask(),
      initContainers: [
        {
          name: "migrate",
          image: "registry.example.com/migrate:3",
          command: ["migrate", "up"],
          env: { DB_USER: { secretKeyRef: { name: "db", key: "user" } }, MODE: "full" },
          envFrom: [{ configMapRef: { name: "settings" } }],
          volumeMounts: [{ name: "sample-data", mountPath: "/data" }],
          resources: { requests: { cpu: "100m" }, limits: { cpu: "100m" } },
          securityContext: RESTRICTED,
        },
        {
          name: "wait-db",
          image: "busybox:1.36",
          args: ["sh", "-c", "until nc -z db 5432; do sleep 1; done"],
        },
      ],
      sidecars: [{ name: "cloud-sql-proxy", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0" }],
    });
    const spec = buildPod(launchOf(task), "default").spec;
    expect(spec?.initContainers).toStrictEqual([
      {
        name: "migrate",
        image: "registry.example.com/migrate:3",
        command: ["migrate", "up"],
        env: [
          { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
          { name: "MODE", value: "full" },
        ],
        envFrom: [{ configMapRef: { name: "settings" } }],
        volumeMounts: [{ name: "sample-data", mountPath: "/data" }],
        resources: { requests: { cpu: "100m" }, limits: { cpu: "100m" } },
        securityContext: RESTRICTED,
      },
      { name: "wait-db", image: "busybox:1.36", args: ["sh", "-c", "until nc -z db 5432; do sleep 1; done"] },
      {
        name: "cloud-sql-proxy",
        image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0",
        restartPolicy: "Always",
      },
    ]);
    // The task's own container stays the only regular one, and the Pod's restartPolicy is Never.
    expect(spec?.containers.map((c) => c.name)).toStrictEqual(["base"]);
    expect(spec?.restartPolicy).toBe("Never");
  });

  it("puts imagePullPolicy on the task container and the scheduling/DNS fields on the Pod spec", () => {
    const fields = {
      priorityClassName: "batch-low",
      runtimeClassName: "gvisor",
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway" as const,
          labelSelector: { matchLabels: { "updraft.dev/dag": "node_jobs" } },
        },
      ],
      hostAliases: [{ ip: "10.1.2.3", hostnames: ["db.internal"] }],
      dnsPolicy: "None" as const,
      dnsConfig: { nameservers: ["10.0.0.10"], options: [{ name: "ndots", value: "2" }] },
    };
    const pod = buildPod(
      launchOf(
        loadTask({
          ...seedTask(),
          ...fields,
          imagePullPolicy: "Always",
          resources: {
            requests: { cpu: "1", "ephemeral-storage": "2Gi", "nvidia.com/gpu": 1 },
            limits: { "ephemeral-storage": "4Gi", "nvidia.com/gpu": 1 },
          },
        }),
      ),
      "default",
    );
    expect(pod.spec).toMatchObject(fields);
    expect(pod.spec?.containers[0]?.imagePullPolicy).toBe("Always");
    expect(pod.spec?.containers[0]?.resources).toStrictEqual({
      requests: { cpu: "1", "ephemeral-storage": "2Gi", "nvidia.com/gpu": "1" },
      limits: { "ephemeral-storage": "4Gi", "nvidia.com/gpu": "1" },
    });
  });

  it("adds none of the new keys when the task gives none of them", () => {
    const pod = buildPod(launchOf(loadTask(seedTask())), "default");
    const keys = [
      "initContainers",
      "securityContext",
      "priorityClassName",
      "runtimeClassName",
      "topologySpreadConstraints",
      "hostAliases",
      "dnsPolicy",
      "dnsConfig",
    ];
    for (const key of keys) expect(Object.keys(pod.spec ?? {})).not.toContain(key);
    for (const key of ["envFrom", "securityContext", "imagePullPolicy"])
      expect(Object.keys(pod.spec?.containers[0] ?? {})).not.toContain(key);
  });
});
