// `npm run test:cluster`: the Kubernetes executor against a REAL cluster (KUBECONFIG, ~/.kube/config
// or in-cluster). Without one, every test is skipped with a warning naming what is missing.
// Namespace: UPDRAFT_TEST_NAMESPACE, else the context's, else `default`; images: busybox.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dagSchema, type TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { ExecutorEvent, TaskKey, TaskLaunch } from "../../src/executor/executor.ts";
import { createKubeApi } from "../../src/kubernetes/kube-api.ts";
import { loadKubeAccess } from "../../src/kubernetes/kube-config.ts";
import { KubernetesExecutor } from "../../src/kubernetes/kubernetes-executor.ts";
import { waitFor } from "../support/wait-for.ts";
import { clusterAccess } from "./cluster-config.ts";

const access = clusterAccess();
if (!access.found) console.warn(`test:cluster skipped: ${access.missing}`);
else console.warn(`test:cluster: using ${access.source}`);

/** Pulls on a fresh node take a while. */
const OUTCOME_MS = 180_000;

describe.skipIf(!access.found)("KubernetesExecutor on a real cluster", () => {
  let executor: KubernetesExecutor;
  let core: CoreV1Api;
  let namespace: string;
  let dir: string;
  const events: ExecutorEvent[] = [];
  const stamp = `${Date.now().toString(36)}-${process.pid}`;
  let sequence = 0;

  beforeAll(async () => {
    const kube = loadKubeAccess(process.env, process.env.UPDRAFT_TEST_NAMESPACE);
    namespace = kube.namespace;
    core = kube.config.makeApiClient(CoreV1Api);
    dir = await mkdtemp(path.join(os.tmpdir(), "updraft-cluster-"));
    executor = new KubernetesExecutor({
      api: createKubeApi(kube.config),
      defaultNamespace: namespace,
      // Never sweep someone else's Pods from a shared namespace: only this run's tries are ours.
      tryIsActive: (key) => !key.runId.includes(stamp),
      sweepMs: 3_600_000,
      cancelGraceSeconds: 5,
    });
    executor.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    await executor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function launch(fields: Record<string, unknown>): { key: TaskKey; launch: TaskLaunch } {
    const dag = dagSchema.parse({
      kind: "dag",
      id: "cluster_smoke",
      schedule: null,
      tasks: [{ kind: "pod", id: "smoke", ...fields }],
    });
    const task = dag.tasks[0] as TaskDefinition;
    sequence += 1;
    const key: TaskKey = {
      dagId: "cluster_smoke",
      runId: `cluster_smoke__manual__${stamp}_${sequence}`,
      taskId: "smoke",
      try: 1,
    };
    return {
      key,
      launch: {
        ...key,
        task,
        command: task.command,
        args: task.args,
        // String values only: references (secretKeyRef, ...) are resolved by the kubelet.
        env: Object.fromEntries(
          Object.entries(task.env).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
        ),
        snapshot: dir,
        logFile: path.join(dir, `${sequence}.log`),
        logicalDate: new Date().toISOString(),
      },
    };
  }

  const outcome = (key: TaskKey) =>
    waitFor(
      `an outcome for ${key.runId}`,
      () => events.find((e) => e.key.runId === key.runId && e.type !== "running"),
      { timeoutMs: OUTCOME_MS, everyMs: 500 },
    );

  it(
    "runs a busybox Pod that echoes and publishes a result",
    async () => {
      const { key, launch: l } = launch({
        image: "busybox:1.36",
        command: ["sh", "-c", `echo "hello from a real pod"; echo '::updraft-result::{"ok":true,"n":42}'`],
      });
      await executor.start(l);
      expect(await outcome(key)).toMatchObject({
        type: "finished",
        exitCode: 0,
        result: { present: true, value: { ok: true, n: 42 } },
      });
      expect(await readFile(l.logFile, "utf8")).toContain("hello from a real pod");
    },
    OUTCOME_MS + 10_000,
  );

  it(
    "reports a failing Pod's exit code",
    async () => {
      const { key, launch: l } = launch({
        image: "busybox:1.36",
        command: ["sh", "-c", "echo failing; exit 3"],
      });
      await executor.start(l);
      const result = await outcome(key);
      expect(result).toMatchObject({ type: "failed", exitCode: 3 });
      expect(result.type === "failed" && result.reason).toContain("exit code 3");
    },
    OUTCOME_MS + 10_000,
  );

  it(
    "fails an invalid image name at once, naming InvalidImageName",
    async () => {
      // updraft's own validation refuses such a reference at load time; this is one that got past it.
      const { key, launch: l } = launch({ image: "busybox:1.36", command: ["true"] });
      const invalid = { ...l, task: { ...l.task, image: "BusyBox/Invalid:1" } };
      await executor.start(invalid);
      const result = await outcome(key);
      expect(result.type === "failed" && result.reason).toContain("InvalidImageName");
    },
    OUTCOME_MS + 10_000,
  );

  it(
    "gives a task DB_USER from a Secret: the Pod carries the reference, the container sees the value",
    async () => {
      const secret = `updraft-smoke-${stamp}`;
      await core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: secret }, stringData: { user: "orders_rw" } },
      });
      try {
        const { key, launch: l } = launch({
          image: "busybox:1.36",
          command: ["sh", "-c", 'echo "db user is $DB_USER"'],
          env: { DB_USER: { secretKeyRef: { name: secret, key: "user" } } },
        });
        await executor.start(l);
        expect(await outcome(key)).toMatchObject({ type: "finished", exitCode: 0 });
        expect(await readFile(l.logFile, "utf8")).toContain("db user is orders_rw");
      } finally {
        await core.deleteNamespacedSecret({ namespace, name: secret }).catch(() => undefined);
      }
    },
    OUTCOME_MS + 10_000,
  );

  describe("in a namespace enforcing Pod Security restricted", () => {
    const restricted = `updraft-restricted-${stamp}`.slice(0, 63);
    beforeAll(async () => {
      await core.createNamespace({
        body: {
          metadata: { name: restricted, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        },
      });
    });
    afterAll(async () => {
      await core.deleteNamespace({ name: restricted }).catch(() => undefined);
    });

    it(
      "a plain task fails at once with the admission message",
      async () => {
        const { key, launch: l } = launch({
          image: "busybox:1.36",
          namespace: restricted,
          command: ["true"],
        });
        await executor.start(l);
        const result = await outcome(key);
        expect(result).toMatchObject({ type: "failed", exitCode: null });
        expect(result.type === "failed" && result.reason).toContain('violates PodSecurity "restricted:');
      },
      OUTCOME_MS + 10_000,
    );

    it(
      "a task with the restricted security contexts runs",
      async () => {
        const { key, launch: l } = launch({
          image: "busybox:1.36",
          namespace: restricted,
          command: ["sh", "-c", "id -u"],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            seccompProfile: { type: "RuntimeDefault" },
          },
        });
        await executor.start(l);
        expect(await outcome(key)).toMatchObject({ type: "finished", exitCode: 0 });
        expect(await readFile(l.logFile, "utf8")).toContain("65534");
      },
      OUTCOME_MS + 10_000,
    );
  });
});
