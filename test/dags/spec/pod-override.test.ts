// Issue 14 point 5: what a task's podOverride and a --pod-template may not set, refused with the field's
// path; and a valid override survives the daemon's second check of what a loader sent.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recheckDefinition } from "../../../src/dags/spec/recheck-definition.ts";
import { validateDag } from "../../../src/dags/spec/validate-dag.ts";
import { readPodTemplate } from "../../../src/kubernetes/pod-template.ts";
import { dag, pod } from "../../../src/sdk/index.ts";
import type { PodOverride } from "../../../src/sdk/types.ts";

const sites = (p: readonly PropertyKey[]) =>
  p.length === 0
    ? { file: "/dags/x.ts", line: 1, column: 1 }
    : { file: "/dags/x.ts", line: 10 + Number(p[1]), column: 5 };

function overrideProblems(podOverride: unknown) {
  const value = dag({
    id: "d",
    schedule: null,
    tasks: [pod({ id: "a", image: "busybox", podOverride: podOverride as PodOverride })],
  });
  const validation = validateDag(value, sites);
  return validation.ok ? [] : validation.problems.map((p) => `${p.line}: ${p.message}`);
}

describe("podOverride", () => {
  it.each([
    [
      { metadata: { name: "mine" } },
      "tasks[0].podOverride.metadata.name: is set by updraft and cannot be set in podOverride: each try's Pod has its own deterministic name",
    ],
    [
      { metadata: { generateName: "mine-" } },
      "tasks[0].podOverride.metadata.generateName: is set by updraft and cannot be set in podOverride: each try's Pod has its own deterministic name",
    ],
    [
      { metadata: { namespace: "other" } },
      "tasks[0].podOverride.metadata.namespace: is set by updraft and cannot be set in podOverride: give the task's namespace with pod({ namespace }) or the daemon's --namespace",
    ],
    [
      { metadata: { labels: { "app.kubernetes.io/managed-by": "me" } } },
      'tasks[0].podOverride.metadata.labels["app.kubernetes.io/managed-by"]: is set by updraft and cannot be set in podOverride: updraft finds and adopts its Pods by it',
    ],
    [
      { metadata: { labels: { "updraft.dev/run": "x" } } },
      'tasks[0].podOverride.metadata.labels["updraft.dev/run"]: is set by updraft and cannot be set in podOverride: updraft finds and adopts its Pods by it',
    ],
    [
      { metadata: { annotations: { "updraft.dev/try": "9" } } },
      'tasks[0].podOverride.metadata.annotations["updraft.dev/try"]: is set by updraft and cannot be set in podOverride: updraft finds and adopts its Pods by it',
    ],
    [
      { spec: { restartPolicy: "OnFailure" } },
      'tasks[0].podOverride.spec.restartPolicy: is set by updraft and cannot be set in podOverride: it stays "Never": a failed try is retried by updraft as a new Pod',
    ],
    [
      { spec: { containers: [{ name: "base", command: ["sh"] }] } },
      "tasks[0].podOverride.spec.containers[0].command: is set by updraft and cannot be set in podOverride: the task container's command comes from pod({ command })",
    ],
    [
      { spec: { containers: [{ name: "base", args: ["x"] }] } },
      "tasks[0].podOverride.spec.containers[0].args: is set by updraft and cannot be set in podOverride: the task container's args comes from pod({ args })",
    ],
    [
      { spec: { containers: [{ name: "base", image: "other" }] } },
      "tasks[0].podOverride.spec.containers[0].image: is set by updraft and cannot be set in podOverride: the task container's image comes from pod({ image })",
    ],
    [{ kind: "Job" }, 'tasks[0].podOverride.kind: must be "Pod"'],
  ])("refuses %j naming the field, at the pod() line", (override, message) => {
    expect(overrideProblems(override)).toEqual([`10: ${message}`]);
  });

  it("allows what updraft does not own: restartPolicy Never, other containers' commands, other labels", () => {
    expect(
      overrideProblems({
        metadata: { labels: { team: "data" }, annotations: { "sidecar.istio.io/inject": "false" } },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "side", image: "x", command: ["run"] }],
          priorityClassName: "batch",
        },
      }),
    ).toEqual([]);
  });

  it("checks the override against core/v1: unknown fields, types, quantities, with the override's path", () => {
    expect(
      overrideProblems({
        spec: { containers: [{ name: "base", resources: { limits: { cpu: "lots" } } }], hostNetwrk: true },
      }),
    ).toEqual([
      '10: tasks[0].podOverride.spec.containers[0].resources.limits.cpu: "lots" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
      '10: tasks[0].podOverride.spec.hostNetwrk: is not a field of PodSpec (did you mean "hostNetwork"?)',
    ]);
  });

  it("keeps a valid override exactly, through the daemon's recheck", () => {
    const override = {
      spec: {
        containers: [{ name: "base", resources: { limits: { cpu: 1 } } }],
        hostAliases: [{ ip: "10.0.0.1", hostnames: ["db"] }],
      },
    };
    const validation = validateDag(
      dag({
        id: "d",
        schedule: null,
        tasks: [pod({ id: "a", image: "busybox", podOverride: override as PodOverride })],
      }),
      sites,
    );
    if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
    expect(validation.dag.tasks[0]?.podOverride).toEqual(override);
    const recheck = recheckDefinition(JSON.parse(JSON.stringify(validation.dag)));
    expect(recheck.ok, JSON.stringify(recheck)).toBe(true);
  });
});

describe("--pod-template", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "updraft-pod-template-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const template = async (text: string) => {
    const file = path.join(dir, `t-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    return file;
  };

  it("reads a core/v1 Pod", async () => {
    const file = await template(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    team: data\nspec:\n  serviceAccountName: jobs\n",
    );
    expect(readPodTemplate(file)).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { labels: { team: "data" } },
      spec: { serviceAccountName: "jobs" },
    });
  });

  it.each([
    ["metadata:\n  name: fixed\n", "2: metadata.name: is set by updraft and cannot be set in --pod-template"],
    [
      "spec:\n  restartPolicy: Always\n",
      "2: spec.restartPolicy: is set by updraft and cannot be set in --pod-template",
    ],
    [
      "spec:\n  containers:\n    - name: base\n      command: [sh]\n",
      "4: spec.containers.0.command: is set by updraft and cannot be set in --pod-template",
    ],
    [
      "spec:\n  containers:\n    - name: base\n      resources:\n        limits:\n          cpu: lots\n",
      '6: spec.containers.0.resources.limits.cpu: "lots" is not a Kubernetes quantity',
    ],
    [
      "spec:\n  tolerations:\n    - key: a\n      efect: NoSchedule\n",
      '4: spec.tolerations.0.efect: is not a field of Toleration (did you mean "effect"?)',
    ],
  ])("refuses %j with the file, line and path", async (text, expected) => {
    const file = await template(text);
    expect(() => readPodTemplate(file)).toThrow(`--pod-template: ${file}:${expected}`);
  });
});
