import { describe, expect, test } from "vitest";
import { validateDag } from "../../../src/dags/spec/validate-dag.ts";
import { dag, pod } from "../../../src/sdk/index.ts";

/** Pretends the dag() call is on line 1 and tasks[i]'s pod() call on line 10 + i. */
const sites = (path: readonly PropertyKey[]) =>
  path.length === 0
    ? { file: "/dags/x.ts", line: 1, column: 16 }
    : { file: "/dags/x.ts", line: 10 + Number(path[1]), column: 5 };

function problemsOf(value: unknown) {
  const validation = validateDag(value, sites);
  if (validation.ok) throw new Error(`expected problems, got a valid DAG ${validation.dag.id}`);
  return validation;
}

describe("validateDag: valid DAGs are normalised", () => {
  test("defaults are filled in, durations become ms, dates UTC, and tasks inherit retries", () => {
    const validation = validateDag(
      dag({
        id: "ok",
        schedule: "0 6 * * *",
        timezone: "Europe/Berlin",
        startDate: "2026-11-01",
        retries: 3,
        retryDelay: "30s",
        tasks: [
          pod({ id: "a", image: "busybox", timeout: "5m", retryBackoff: true }),
          pod({
            id: "b",
            image: "busybox",
            dependsOn: "a",
            retries: 0,
            retryDelay: 10,
            startupTimeout: "1m",
            imagePullSecrets: ["regcred"],
            retryBackoff: { max: "10m" },
            onFinish: "keep",
            triggerRule: "all_done",
          }),
        ],
      }),
      sites,
    );
    const taskDefaults = {
      pool: null,
      command: [],
      args: [],
      env: {},
      namespace: null,
      imagePullSecrets: [],
      volumes: [],
      volumeMounts: [],
      resources: {},
      annotations: {},
      labels: {},
      nodeSelector: {},
      tolerations: [],
      affinity: null,
      serviceAccountName: null,
    };
    expect(validation).toEqual({
      ok: true,
      dag: {
        id: "ok",
        description: null,
        schedule: "0 6 * * *",
        timezone: "Europe/Berlin",
        catchup: false,
        pausedOnCreation: false,
        maxActiveRuns: 16,
        concurrencyPolicy: "allow",
        owner: null,
        tags: [],
        retries: 3,
        onFailure: null,
        params: [],
        runTimeoutMs: null,
        expectedWithinMs: null,
        finishWithinMs: null,
        startDate: "2026-10-31T23:00:00.000Z",
        endDate: null,
        retryDelayMs: 30_000,
        tasks: [
          {
            ...taskDefaults,
            id: "a",
            image: "busybox",
            dependsOn: [],
            triggerRule: "all_success",
            retryBackoff: { maxDelayMs: 3_600_000 },
            onFinish: "delete",
            retries: 3,
            retryDelayMs: 30_000,
            timeoutMs: 300_000,
            startupTimeoutMs: 120_000,
          },
          {
            ...taskDefaults,
            id: "b",
            image: "busybox",
            imagePullSecrets: [{ name: "regcred" }],
            dependsOn: ["a"],
            triggerRule: "all_done",
            retryBackoff: { maxDelayMs: 600_000 },
            onFinish: "keep",
            retries: 0,
            retryDelayMs: 10_000,
            timeoutMs: null,
            startupTimeoutMs: 60_000,
          },
        ],
      },
    });
  });
});

describe("validateDag: problems name the zod path and the call to fix", () => {
  test("an invalid task field is located at that task's pod() call", () => {
    const validation = problemsOf(
      dag({
        id: "mem",
        schedule: null,
        tasks: [
          pod({ id: "a", image: "busybox" }),
          pod({ id: "b", image: "busybox", resources: { limits: { memory: "1 Gi" } } }),
        ],
      }),
    );
    expect(validation).toEqual({
      ok: false,
      dagId: "mem",
      problems: [
        {
          message:
            'tasks[1].resources.limits.memory: "1 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
          line: 11,
          column: 5,
        },
      ],
    });
  });

  test("an invalid DAG field is located at the dag() call", () => {
    expect(
      problemsOf(
        dag({
          id: "tz",
          schedule: "@daily",
          timezone: "Mars/Olympus",
          tasks: [pod({ id: "a", image: "busybox" })],
        }),
      ).problems,
    ).toEqual([
      {
        message:
          'timezone: "Mars/Olympus" is not a known IANA time zone (e.g. "UTC", "Europe/Berlin", "America/New_York")',
        line: 1,
        column: 16,
      },
    ]);
  });

  test("a misspelt option is an unrecognized key, not silently dropped", () => {
    const misspelt = { id: "a", image: "busybox", imagePullSecret: "regcred" } as unknown as Parameters<
      typeof pod
    >[0];
    expect(
      problemsOf(dag({ id: "typo", schedule: null, tasks: [pod(misspelt)] })).problems.map((p) => p.message),
    ).toEqual(['tasks[0]: Unrecognized key: "imagePullSecret"']);
  });

  test("Kubernetes rules: requests above limits, reserved labels, env names, volumes, mounts, tolerations", () => {
    const validation = problemsOf(
      dag({
        id: "k8s",
        schedule: null,
        tasks: [
          pod({
            id: "a",
            image: "busybox",
            resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } },
            env: { "1BAD": "x" },
            labels: { "updraft.dev/dag": "x", ok: "-bad" },
          }),
          pod({
            id: "b",
            image: "busybox",
            volumes: [
              { name: "v", emptyDir: {}, configMap: { name: "c" } },
              { name: "Bad_Vol", emptyDir: {} },
            ],
            volumeMounts: [
              { name: "v", mountPath: "relative/path" },
              { name: "data", mountPath: "/data" },
            ],
            tolerations: [{ operator: "Exists", value: "x" }],
          }),
        ],
      }),
    );
    expect(validation.problems.map((p) => [p.line, p.message])).toEqual([
      [
        10,
        `tasks[0].env["1BAD"]: key "1BAD" must consist of letters, digits, '_', '-' or '.', and must not start with a digit`,
      ],
      [10, 'tasks[0].resources.requests.memory: "2Gi" must be less than or equal to the memory limit "1Gi"'],
      [
        10,
        'tasks[0].labels["updraft.dev/dag"]: key "updraft.dev/dag" is set by updraft itself and cannot be overridden',
      ],
      [
        10,
        `tasks[0].labels.ok: "-bad" must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
      ],
      [
        11,
        'tasks[1].volumes[0]: volume "v" must have exactly one source (emptyDir, configMap, secret, persistentVolumeClaim, hostPath, ...); has emptyDir, configMap',
      ],
      [
        11,
        `tasks[1].volumes[1].name: "Bad_Vol" must consist of lower case letters, digits and '-', and start and end with a letter or digit`,
      ],
      [11, "tasks[1].volumeMounts[0].mountPath: mountPath must be an absolute path"],
      [11, 'tasks[1].tolerations[0].value: must be empty when operator is "Exists"'],
      [11, `tasks[1].volumeMounts[1].name: "data" is not one of the task's volumes (v, Bad_Vol)`],
    ]);
  });

  test("an endDate before the startDate is reported against endDate", () => {
    expect(
      problemsOf(
        dag({
          id: "dates",
          schedule: "@daily",
          startDate: "2026-11-01",
          endDate: "2026-10-01",
          tasks: [pod({ id: "a", image: "busybox" })],
        }),
      ).problems,
    ).toEqual([
      { message: "endDate: must be after startDate (2026-11-01T00:00:00.000Z)", line: 1, column: 16 },
    ]);
  });

  test("a DAG without tasks, and a value that is not a dag() at all", () => {
    expect(
      problemsOf(dag({ id: "empty", schedule: null, tasks: [] })).problems.map((p) => p.message),
    ).toEqual(["tasks: a DAG needs at least one task"]);
    const plain = problemsOf({ schedule: 5 });
    expect(plain.dagId).toBeUndefined();
    expect(plain.problems.map((p) => p.message)).toContain('kind: Invalid input: expected "dag"');
  });
});

describe("validateDag: ids are never paths", () => {
  const RULE = "may only contain letters, digits, '_', '-' and '.'";
  test.each([
    ["..", 'tasks[0].id: ".." must not be "." or ".." (ids name folders of logs and URLs)'],
    [".", 'tasks[0].id: "." must not be "." or ".." (ids name folders of logs and URLs)'],
    ["a/b", `tasks[0].id: "a/b" ${RULE}`],
    ["a\\b", `tasks[0].id: "a\\\\b" ${RULE}`],
    ["a\u0001b", `tasks[0].id: "a\\u0001b" ${RULE}`],
    ["a\nb", `tasks[0].id: "a\\nb" ${RULE}`],
  ])("task id %j is refused, naming the field and the rule", (id, message) => {
    const validation = validateDag(
      dag({ id: "paths", schedule: null, tasks: [pod({ id, image: "busybox" })] }),
      () => undefined,
    );
    expect(validation.ok).toBe(false);
    expect(!validation.ok && validation.problems.map((p) => p.message)).toEqual([message]);
  });

  test.each([
    ["..", 'id: ".." must not be "." or ".." (ids name folders of logs and URLs)'],
    [".", 'id: "." must not be "." or ".." (ids name folders of logs and URLs)'],
    ["x/..", `id: "x/.." ${RULE}`],
    ["/etc", `id: "/etc" ${RULE}`],
  ])("DAG id %j is refused", (id, message) => {
    const validation = validateDag(
      dag({ id, schedule: null, tasks: [pod({ id: "a", image: "busybox" })] }),
      () => undefined,
    );
    expect(!validation.ok && validation.problems.map((p) => p.message)).toEqual([message]);
  });

  test.each(["...", "a.b", "_", "-", "v1.2-rc_3", "constructor", "__proto__"])("id %j is accepted", (id) => {
    expect(
      validateDag(dag({ id, schedule: null, tasks: [pod({ id, image: "busybox" })] }), () => undefined).ok,
    ).toBe(true);
  });
});
