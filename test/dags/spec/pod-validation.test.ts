// Issue 14 point 6: a Pod checked against core/v1 with no cluster. The schema table is generated from
// the official client's models (kept fresh here); kubernetes-models' JSON-schema validation is the
// second opinion on types, enums and quantities.
import { Pod } from "kubernetes-models/v1";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { podFieldTable } from "../../../scripts/pod-field-table.ts";
import { TASK_CONTAINER } from "../../../src/dags/spec/pod-owned-fields.ts";
import { podProblems } from "../../../src/dags/spec/pod-validation.ts";
import { formatPath } from "../../../src/dags/spec/validate-dag.ts";
import { CONTAINER } from "../../../src/kubernetes/pod-spec.ts";

const pod = (container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  spec: { restartPolicy: "Never", containers: [{ name: "base", image: "busybox", ...container }], ...spec },
});

const problemsOf = (value: unknown, mode: "partial" | "complete" = "complete") =>
  podProblems(value, mode).map((p) => `${formatPath(p.path)}: ${p.message}`);

function kubernetesModelsRefuses(value: unknown): boolean {
  try {
    new Pod(value as ConstructorParameters<typeof Pod>[0]).validate();
    return false;
  } catch {
    return true;
  }
}

describe("podProblems", () => {
  it("accepts a valid Pod", () => {
    expect(problemsOf(pod({ resources: { limits: { cpu: "500m", "nvidia.com/gpu": 1 } } }))).toEqual([]);
  });

  const refused: Array<[string, unknown, string]> = [
    [
      "an unknown field",
      pod({ readinesProbe: {} }),
      'spec.containers[0].readinesProbe: is not a field of Container (did you mean "readinessProbe"?)',
    ],
    ["a wrong type", pod({ image: 3 }), "spec.containers[0].image: must be a string, not number 3"],
    [
      "a fraction where an integer goes",
      pod({ ports: [{ containerPort: 80.5 }] }),
      "spec.containers[0].ports[0].containerPort: must be a whole number, not number 80.5",
    ],
    [
      "an object where a list goes",
      pod({ args: { a: 1 } }),
      "spec.containers[0].args: must be a list, not an object",
    ],
    [
      "a bad enum value",
      pod({ imagePullPolicy: "Sometimes" }),
      'spec.containers[0].imagePullPolicy: "Sometimes" is not one of "Always", "IfNotPresent", "Never"',
    ],
    [
      "a bad restartPolicy",
      pod({}, { restartPolicy: "Maybe" }),
      'spec.restartPolicy: "Maybe" is not one of "Always", "OnFailure", "Never"',
    ],
    [
      "a bad toleration effect",
      pod({}, { tolerations: [{ key: "a", effect: "NoRun" }] }),
      'spec.tolerations[0].effect: "NoRun" is not one of "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
    [
      "a bad seccomp type",
      pod({}, { securityContext: { seccompProfile: { type: "Default" } } }),
      'spec.securityContext.seccompProfile.type: "Default" is not one of "Localhost", "RuntimeDefault", "Unconfined"',
    ],
    [
      "a bad quantity",
      pod({ resources: { limits: { cpu: "lots" } } }),
      'spec.containers[0].resources.limits.cpu: "lots" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
    ],
    [
      "a bad emptyDir size",
      pod({}, { volumes: [{ name: "v", emptyDir: { sizeLimit: "1 Gi" } }] }),
      'spec.volumes[0].emptyDir.sizeLimit: "1 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
    ],
  ];
  it.each(refused)("refuses %s with its path", (_what, value, message) => {
    expect(problemsOf(value)).toEqual([message]);
  });

  it("agrees with kubernetes-models where that checks (types, enums, quantities)", () => {
    for (const [what, value] of refused) {
      if (what === "an unknown field") continue; // kubernetes-models allows extra properties
      expect(kubernetesModelsRefuses(value), what).toBe(true);
    }
    expect(kubernetesModelsRefuses(pod())).toBe(false);
  });

  it.each([
    [
      "an invalid Pod name",
      { ...pod(), metadata: { name: "My_Pod" } },
      "metadata.name: \"My_Pod\" must consist of lower case letters, digits, '-' and '.', and start and end with a letter or digit",
    ],
    [
      "an invalid container name",
      pod({ name: "Base" }),
      "spec.containers[0].name: \"Base\" must consist of lower case letters, digits and '-', and start and end with a letter or digit",
    ],
    [
      "an invalid label value",
      { ...pod(), metadata: { name: "p", labels: { team: "a b" } } },
      "metadata.labels.team: \"a b\" must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit",
    ],
    [
      "an invalid annotation key",
      { ...pod(), metadata: { name: "p", annotations: { "-x": "1" } } },
      "metadata.annotations[\"-x\"]: key \"-x\" name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit",
    ],
    [
      "an unprefixed extended resource",
      pod({ resources: { limits: { gpu: "1" } } }),
      'spec.containers[0].resources.limits.gpu: key "gpu" is not a standard resource (cpu, memory, ephemeral-storage, hugepages-<size>); extended resources need a domain prefix (e.g. "nvidia.com/gpu")',
    ],
    [
      "a port out of range",
      pod({ ports: [{ containerPort: 70000 }] }),
      "spec.containers[0].ports[0].containerPort: 70000 must be between 1 and 65535",
    ],
    [
      "a bad env var name",
      pod({ env: [{ name: "1A", value: "x" }] }),
      "spec.containers[0].env[0].name: \"1A\" must consist of letters, digits, '_', '-' or '.', and must not start with a digit",
    ],
  ])("refuses %s (names and values kube-apiserver checks)", (_what, value, message) => {
    expect(problemsOf(value)).toEqual([message]);
  });

  it("in complete mode, refuses what only the whole Pod shows", () => {
    expect(
      problemsOf(
        pod(
          { volumeMounts: [{ name: "missing", mountPath: "/m" }] },
          {
            initContainers: [{ name: "base", image: "x" }],
            containers: [
              { name: "base", image: "busybox", volumeMounts: [{ name: "missing", mountPath: "/m" }] },
              { name: "side" },
            ],
          },
        ),
      ),
    ).toEqual([
      'spec.containers[0].name: duplicate container name "base"',
      'spec.containers[0].volumeMounts[0].name: "missing" is not one of the Pod\'s volumes (none declared)',
      "spec.containers[1].image: is required",
    ]);
  });

  it("in partial mode, checks only what is there", () => {
    expect(
      problemsOf(
        { spec: { containers: [{ name: "side", resources: { limits: { cpu: "1" } } }] } },
        "partial",
      ),
    ).toEqual([]);
    expect(problemsOf({ spec: { containers: [{ image: "x" }] } }, "partial")).toEqual([
      "spec.containers[0].name: is required",
    ]);
  });

  it("refuses status and fields at the wrong level", () => {
    expect(problemsOf({ ...pod(), status: { phase: "Running" } })).toEqual(["status: is not a field of Pod"]);
    expect(problemsOf({ ...pod(), serviceAccountName: "x" })).toEqual([
      "serviceAccountName: is not a field of Pod",
    ]);
  });
});

describe("the generated core/v1 field table", () => {
  it("is what scripts/pod-fields.ts writes from the installed client (run it after an upgrade)", async () => {
    const written = readFileSync(
      new URL("../../../src/dags/spec/core-v1-pod-fields.ts", import.meta.url),
      "utf8",
    );
    expect(written).toBe(await podFieldTable());
  });

  it("names the task container as the Pod builder does", () => {
    expect(TASK_CONTAINER).toBe(CONTAINER);
  });
});
