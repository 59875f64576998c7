// Issue 14 points 5 and 6 through the daemon: `--pod-template` is the base of every task Pod created
// on the (fake) API server, a task's podOverride is laid over it last, a DAG whose Pod is invalid is
// an import error while the others run, and an invalid template stops start-up naming the field.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { podNameFor } from "../../src/kubernetes/pod-names.ts";
import { runBin } from "../cli/support/run-bin.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { useFakeKubeServer, writeKubeconfig } from "../support/fake-kube/fake-kube-fixture.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const TEMPLATE = `apiVersion: v1
kind: Pod
metadata:
  labels:
    team: data
    tier: batch
  annotations:
    sidecar.istio.io/inject: "false"
spec:
  serviceAccountName: jobs
  tolerations:
    - key: dedicated
      operator: Equal
      value: batch
      effect: NoSchedule
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: base
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
      resources:
        requests:
          memory: 64Mi
      env:
        - name: TZ
          value: UTC
`;

const DAGS = {
  "jobs.ts": `import { dag, pod } from "updraft";
export default dag({ id: "templated", schedule: null, tasks: [
  pod({ id: "work", image: "node:20", command: ${JSON.stringify([process.execPath, "-e", "console.log('hi')"])},
        labels: { tier: "etl" }, resources: { limits: { memory: "256Mi" } },
        podOverride: { metadata: { annotations: { "example.com/owner": "data" } }, spec: { priorityClassName: "batch-low" } } }),
] });
`,
  "broken.ts": `import { dag, pod } from "updraft";
export default dag({ id: "broken_pod", schedule: null, tasks: [
  pod({ id: "a", image: "busybox", podOverride: { spec: { containers: [{ name: "side" }] } } }),
] });
`,
};

const savedKubeconfig = process.env.KUBECONFIG;
const kube = useFakeKubeServer({ namespaces: ["default"] });
afterAll(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});
const cleanup = useCleanup();

describe("updraft run --pod-template", () => {
  it("creates each task's Pod from the template, the task's fields and its podOverride", async () => {
    const { dir, dagsDir } = await daemonFolders(cleanup, "pod-template", DAGS);
    const template = path.join(dir, "pod-template.yaml");
    await writeFile(template, TEMPLATE);
    process.env.KUBECONFIG = await writeKubeconfig(kube, dir);
    const daemon = await startTestDaemon(cleanup, [
      "--dags",
      dagsDir,
      "--executor",
      "kubernetes",
      "--pod-template",
      template,
    ]);
    const errors = await waitFor("the invalid DAG reported", async () => {
      const body = (await daemon.request("/api/import-errors")).body as Array<{
        file: string;
        message: string;
      }>;
      return body.length > 0 ? body : undefined;
    });
    expect(errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      'broken.ts: DAG "broken_pod": tasks[0].podOverride.spec.containers[0].image: is required',
    ]);
    expect((await daemon.dags()).map((d) => d.id)).toEqual(["templated"]);

    const response = await daemon.request("/api/dags/templated/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status, response.text).toBe(201);
    const { runId } = response.body as { runId: string };
    const name = podNameFor({ dagId: "templated", runId, taskId: "work", try: 1 });
    const created = await waitFor("the task's Pod", () => kube.pod("default", name));

    expect(created.metadata.labels).toMatchObject({
      team: "data",
      tier: "etl",
      "app.kubernetes.io/managed-by": "updraft",
      "updraft.dev/task": "work",
    });
    expect(created.metadata.annotations).toMatchObject({
      "sidecar.istio.io/inject": "false",
      "example.com/owner": "data",
      "updraft.dev/run-id": runId,
    });
    const spec = created.spec as unknown as Record<string, unknown>;
    expect(spec).toMatchObject({
      restartPolicy: "Never",
      serviceAccountName: "jobs",
      priorityClassName: "batch-low",
      // The API server adds its default not-ready/unreachable tolerations after the template's.
      tolerations: expect.arrayContaining([
        { key: "dedicated", operator: "Equal", value: "batch", effect: "NoSchedule" },
      ]),
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    });
    const [base, ...others] = spec.containers as Array<Record<string, unknown>>;
    expect(others).toEqual([]);
    expect(base).toMatchObject({
      name: "base",
      image: "node:20",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      resources: { requests: { memory: "64Mi" }, limits: { memory: "256Mi" } },
    });
    expect(base?.env).toEqual(
      expect.arrayContaining([
        { name: "TZ", value: "UTC" },
        { name: "UPDRAFT_TASK_ID", value: "work" },
      ]),
    );
  });

  it("an invalid template stops start-up: exit 1 naming the flag, file, line and field", async () => {
    const { dir, dagsDir, stateDir } = await daemonFolders(cleanup, "pod-template-bad", {});
    const template = path.join(dir, "pod-template.yaml");
    await writeFile(template, "spec:\n  containers:\n    - name: base\n      command: [sh]\n");
    const result = await runBin([
      "run",
      "--dags",
      dagsDir,
      "--state-dir",
      stateDir,
      "--port",
      "0",
      "--pod-template",
      template,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `--pod-template: ${template}:4: spec.containers.0.command: is set by updraft and cannot be set in --pod-template: the task container's command comes from pod({ command })`,
    );
  });
});
