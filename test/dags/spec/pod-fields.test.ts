// Issue 14 points 1-4: the new pod({...}) fields are validated at load time, each error naming the
// field's path as `updraft check` prints it.
import { describe, expect, test } from "vitest";
import { validateDag } from "../../../src/dags/spec/validate-dag.ts";
import { podTaskIn } from "../../support/pod-task.ts";

const site = () => ({ file: "/dags/x.ts", line: 1, column: 1 });

/** The messages validation gives for one task with `fields`. */
function problems(fields: Record<string, unknown>): string[] {
  const validation = validateDag(
    {
      kind: "dag",
      id: "d",
      schedule: null,
      tasks: [{ kind: "pod", id: "t", image: "busybox:1.36", ...fields }],
    },
    site,
  );
  return validation.ok ? [] : validation.problems.map((p) => p.message);
}

const RESTRICTED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

describe("env values from Secrets, ConfigMaps and the downward API", () => {
  test("a string or one core/v1 EnvVarSource, kept as written", () => {
    const env = {
      PLAIN: "x-{{ ds }}",
      DB_USER: { secretKeyRef: { name: "db", key: "user" } },
      DB_PASS: { secretKeyRef: { name: "db", key: "password", optional: true } },
      REGION: { configMapKeyRef: { name: "settings", key: "region" } },
      POD_NAME: { fieldRef: { fieldPath: "metadata.name" } },
      TEAM: { fieldRef: { fieldPath: "metadata.labels['team']" } },
      CPU_LIMIT: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } },
    };
    const envFrom = [{ secretRef: { name: "db" } }, { configMapRef: { name: "settings" }, prefix: "CFG_" }];
    const task = podTaskIn("d", { env, envFrom });
    expect(task.env).toEqual(env);
    expect(task.envFrom).toEqual(envFrom);
  });

  test.each([
    [
      { X: { secretKeyRef: { name: "db" } } },
      "tasks[0].env.X.secretKeyRef.key: Invalid input: expected string, received undefined",
    ],
    [
      { X: { secretKeyRef: { name: "Db_Secret", key: "user" } } },
      "tasks[0].env.X.secretKeyRef.name: \"Db_Secret\" must consist of lower case letters, digits, '-' and '.', and start and end with a letter or digit",
    ],
    [
      { X: { secretKeyRef: { name: "db", key: "a/b" } } },
      "tasks[0].env.X.secretKeyRef.key: \"a/b\" must consist of letters, digits, '-', '_' or '.'",
    ],
    [
      { X: { secretKeyRef: { name: "db", key: "u" }, configMapKeyRef: { name: "c", key: "u" } } },
      "tasks[0].env.X: must name exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef (has secretKeyRef, configMapKeyRef)",
    ],
    [
      { X: {} },
      "tasks[0].env.X: must name exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef (has none)",
    ],
    [{ X: { secretRef: { name: "db" } } }, 'tasks[0].env.X: Unrecognized key: "secretRef"'],
    [
      { X: { fieldRef: { fieldPath: "spec.containers" } } },
      "tasks[0].env.X.fieldRef.fieldPath: \"spec.containers\" is not a field Kubernetes exposes (metadata.name, metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs)",
    ],
    [
      { X: { resourceFieldRef: { resource: "limits.gpu" } } },
      'tasks[0].env.X.resourceFieldRef.resource: "limits.gpu" is not one of limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory, requests.ephemeral-storage (or limits./requests.hugepages-*)',
    ],
    [
      { X: 42 },
      "tasks[0].env.X: must be a string or one of { secretKeyRef }, { configMapKeyRef }, { fieldRef }, { resourceFieldRef }",
    ],
    [
      { "1X": "a" },
      "tasks[0].env[\"1X\"]: key \"1X\" must consist of letters, digits, '_', '-' or '.', and must not start with a digit",
    ],
    [
      { UPDRAFT_RUN_ID: "mine" },
      'tasks[0].env.UPDRAFT_RUN_ID: key "UPDRAFT_RUN_ID" is set by updraft itself and cannot be overridden',
    ],
  ])("env %j: %s", (env, message) => expect(problems({ env })).toEqual([message]));

  test.each([
    [
      [{ secretRef: { name: "db" }, configMapRef: { name: "c" } }],
      "tasks[0].envFrom[0]: must name exactly one of secretRef, configMapRef (has secretRef, configMapRef)",
    ],
    [[{ prefix: "X_" }], "tasks[0].envFrom[0]: must name exactly one of secretRef, configMapRef (has none)"],
    [
      [{ secretRef: { name: "db" }, prefix: "1X" }],
      "tasks[0].envFrom[0].prefix: \"1X\" must consist of letters, digits, '_', '-' or '.', and must not start with a digit",
    ],
  ])("envFrom %j: %s", (envFrom, message) => expect(problems({ envFrom })).toEqual([message]));

  test("envFrom with a Volume's field name: both the unknown key and the missing name", () => {
    expect(problems({ envFrom: [{ secretRef: { secretName: "db" } }] })).toEqual([
      "tasks[0].envFrom[0].secretRef.name: Invalid input: expected string, received undefined",
      'tasks[0].envFrom[0].secretRef: Unrecognized key: "secretName"',
    ]);
  });
});

describe("security contexts", () => {
  test("the container's and the Pod's, with core/v1 field names", () => {
    const podSecurityContext = {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 2000,
      supplementalGroups: [3000],
      seccompProfile: { type: "RuntimeDefault" },
      sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "32768 60999" }],
    };
    const task = podTaskIn("d", {
      securityContext: { ...RESTRICTED, readOnlyRootFilesystem: true },
      podSecurityContext,
    });
    expect(task.securityContext).toEqual({ ...RESTRICTED, readOnlyRootFilesystem: true });
    expect(task.podSecurityContext).toEqual(podSecurityContext);
  });

  test.each([
    [
      { securityContext: { runAsNonRoot: "yes" } },
      "tasks[0].securityContext.runAsNonRoot: Invalid input: expected boolean, received string",
    ],
    [
      { securityContext: { runAsUser: -1 } },
      "tasks[0].securityContext.runAsUser: Too small: expected number to be >=0",
    ],
    [
      { securityContext: { seccompProfile: { type: "Strict" } } },
      'tasks[0].securityContext.seccompProfile.type: Invalid option: expected one of "RuntimeDefault"|"Localhost"|"Unconfined"',
    ],
    [
      { securityContext: { seccompProfile: { type: "Localhost" } } },
      "tasks[0].securityContext.seccompProfile.localhostProfile: must be set when type is Localhost",
    ],
    [
      { securityContext: { seccompProfile: { type: "RuntimeDefault", localhostProfile: "p.json" } } },
      "tasks[0].securityContext.seccompProfile.localhostProfile: can only be set when type is Localhost",
    ],
    [
      { securityContext: { privileged: true, allowPrivilegeEscalation: false } },
      "tasks[0].securityContext: cannot set allowPrivilegeEscalation to false and privileged to true",
    ],
    [
      { securityContext: { runAsNonroot: true } },
      'tasks[0].securityContext: Unrecognized key: "runAsNonroot"',
    ],
    [
      { podSecurityContext: { allowPrivilegeEscalation: false } },
      'tasks[0].podSecurityContext: Unrecognized key: "allowPrivilegeEscalation"',
    ],
    [
      { podSecurityContext: { fsGroupChangePolicy: "Sometimes" } },
      'tasks[0].podSecurityContext.fsGroupChangePolicy: Invalid option: expected one of "OnRootMismatch"|"Always"',
    ],
  ])("%j: %s", (fields, message) => expect(problems(fields)).toEqual([message]));
});

describe("init containers and sidecars", () => {
  test("a core/v1 Container subset each", () => {
    const initContainers = [
      {
        name: "migrate",
        image: "registry.example.com/db-migrate:3",
        command: ["migrate"],
        args: ["up"],
        env: { DB_USER: { secretKeyRef: { name: "db", key: "user" } } },
        envFrom: [{ configMapRef: { name: "settings" } }],
        volumeMounts: [{ name: "work", mountPath: "/work" }],
        resources: { requests: { cpu: "100m" } },
        securityContext: RESTRICTED,
      },
    ];
    const sidecars = [{ name: "proxy", image: "cloud-sql-proxy:2", args: ["--port=5432"] }];
    const task = podTaskIn("d", {
      volumes: [{ name: "work", emptyDir: {} }],
      initContainers,
      sidecars,
    });
    expect(task.initContainers).toEqual(initContainers);
    expect(task.sidecars).toEqual(sidecars);
  });

  test.each([
    [
      { initContainers: [{ name: "base", image: "busybox" }] },
      'tasks[0].initContainers[0].name: "base" is already the name of another container (the task\'s own container is "base")',
    ],
    [
      { initContainers: [{ name: "a", image: "busybox" }], sidecars: [{ name: "a", image: "busybox" }] },
      'tasks[0].sidecars[0].name: "a" is already the name of another container (the task\'s own container is "base")',
    ],
    [
      { sidecars: [{ name: "Proxy", image: "busybox" }] },
      "tasks[0].sidecars[0].name: \"Proxy\" must consist of lower case letters, digits and '-', and start and end with a letter or digit",
    ],
    [
      { initContainers: [{ name: "a" }] },
      "tasks[0].initContainers[0].image: Invalid input: expected string, received undefined",
    ],
    [
      { initContainers: [{ name: "a", image: "busybox", restartPolicy: "Always" }] },
      'tasks[0].initContainers[0]: Unrecognized key: "restartPolicy"',
    ],
    [
      { sidecars: [{ name: "a", image: "busybox", volumeMounts: [{ name: "nope", mountPath: "/x" }] }] },
      'tasks[0].sidecars[0].volumeMounts[0].name: "nope" is not one of the task\'s volumes (none declared)',
    ],
    [
      { initContainers: [{ name: "a", image: "busybox", env: { X: { fieldRef: {} } } }] },
      "tasks[0].initContainers[0].env.X.fieldRef.fieldPath: Invalid input: expected string, received undefined",
    ],
  ])("%j: %s", (fields, message) => expect(problems(fields)).toEqual([message]));
});

describe("other Pod fields", () => {
  test("kept as written", () => {
    const fields = {
      imagePullPolicy: "Always",
      priorityClassName: "batch-low",
      runtimeClassName: "gvisor",
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { "updraft.dev/dag": "d" } },
        },
      ],
      hostAliases: [{ ip: "10.1.2.3", hostnames: ["db.internal"] }],
      dnsPolicy: "None",
      dnsConfig: {
        nameservers: ["1.1.1.1"],
        searches: ["corp.example.com"],
        options: [{ name: "ndots", value: "2" }],
      },
      resources: {
        requests: { cpu: "1", "ephemeral-storage": "2Gi", "nvidia.com/gpu": 1 },
        limits: { "ephemeral-storage": "4Gi", "nvidia.com/gpu": 1 },
      },
    };
    const task = podTaskIn("d", fields);
    expect(task).toMatchObject({
      ...fields,
      resources: {
        requests: { cpu: "1", "ephemeral-storage": "2Gi", "nvidia.com/gpu": "1" },
        limits: { "ephemeral-storage": "4Gi", "nvidia.com/gpu": "1" },
      },
    });
  });

  test.each([
    [
      { imagePullPolicy: "Sometimes" },
      'tasks[0].imagePullPolicy: Invalid option: expected one of "Always"|"IfNotPresent"|"Never"',
    ],
    [
      { dnsPolicy: "Google" },
      'tasks[0].dnsPolicy: Invalid option: expected one of "ClusterFirst"|"ClusterFirstWithHostNet"|"Default"|"None"',
    ],
    [
      { dnsPolicy: "None" },
      "tasks[0].dnsConfig.nameservers: at least one nameserver is needed when dnsPolicy is None",
    ],
    [
      { dnsConfig: { nameservers: ["dns.google"] } },
      'tasks[0].dnsConfig.nameservers[0]: "dns.google" must be an IP address (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ],
    [
      { hostAliases: [{ ip: "10.0.0.300", hostnames: ["db"] }] },
      'tasks[0].hostAliases[0].ip: "10.0.0.300" must be an IP address (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ],
    [
      { priorityClassName: "High" },
      "tasks[0].priorityClassName: \"High\" must consist of lower case letters, digits, '-' and '.', and start and end with a letter or digit",
    ],
    [
      {
        topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }],
      },
      "tasks[0].topologySpreadConstraints[0].maxSkew: Too small: expected number to be >=1",
    ],
    [
      { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "Never" }] },
      'tasks[0].topologySpreadConstraints[0].whenUnsatisfiable: Invalid option: expected one of "DoNotSchedule"|"ScheduleAnyway"',
    ],
    [
      { resources: { limits: { "nvidia.com/gpu": "500m" } } },
      'tasks[0].resources.limits["nvidia.com/gpu"]: "500m" must be a whole number: nvidia.com/gpu is an extended resource',
    ],
    [
      { resources: { requests: { "nvidia.com/gpu": 1 } } },
      'tasks[0].resources.limits["nvidia.com/gpu"]: must be set (equal to the request): an extended resource cannot be overcommitted',
    ],
    [
      { resources: { requests: { "nvidia.com/gpu": 1 }, limits: { "nvidia.com/gpu": 2 } } },
      'tasks[0].resources.requests["nvidia.com/gpu"]: "1" must equal the nvidia.com/gpu limit "2": an extended resource cannot be overcommitted',
    ],
    [
      { resources: { limits: { gpu: 1 } } },
      'tasks[0].resources.limits.gpu: key "gpu" is not a resource Kubernetes knows: use cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with a domain (e.g. nvidia.com/gpu)',
    ],
    [
      { resources: { limits: { "ephemeral-storage": "4 Gi" } } },
      'tasks[0].resources.limits["ephemeral-storage"]: "4 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
    ],
  ])("%j: %s", (fields, message) => expect(problems(fields)).toEqual([message]));
});
