import { describe, expect, it } from "vitest";
import { defaultPod } from "../api/pod-defaults.ts";
import type { Pod } from "../types.ts";
import { errorBody } from "./field-errors.ts";
import { dns1123Label, qualifiedName } from "./names.ts";
import { validatePod } from "./pod-validation.ts";
import { formatQuantity, parseQuantity, type Quantity } from "./quantity.ts";

const canonical = (text: string) => formatQuantity(parseQuantity(text) as Quantity);

describe("quantities", () => {
  it.each([
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["0.5", "500m"],
    ["1000m", "1"],
    ["1.5Gi", "1536Mi"],
    ["100m", "100m"],
    ["1e3", "1e3"],
    ["512", "512"],
    ["2048", "2048"],
  ])("%s is stored as %s", (input, stored) => expect(canonical(input)).toBe(stored));

  it.each(["1Gb", "abc", "", "1.2.3"])("%j does not parse", (input) =>
    expect(parseQuantity(input)).toHaveProperty("error"),
  );
});

describe("names", () => {
  it("checks DNS-1123 labels and qualified names", () => {
    expect(dns1123Label("base")).toEqual([]);
    expect(dns1123Label("Base")[0]).toMatch(/^a lowercase RFC 1123 label/);
    expect(dns1123Label("a".repeat(64))).toContain("must be no more than 63 characters");
    expect(qualifiedName("updraft.dev/task")).toEqual([]);
    expect(qualifiedName("-x")[0]).toMatch(/^name part must consist of/);
    expect(qualifiedName("UP.dev/x")[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
  });
});

describe("pod validation", () => {
  const pod = (spec: Partial<Pod["spec"]>): Pod => {
    const p = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "ns" },
      spec: { containers: [], ...spec },
      status: { phase: "Pending" },
    } as Pod;
    defaultPod(p);
    return p;
  };
  const problems = (p: Pod) => validatePod(p).map((e) => `${e.field}: ${errorBody(e)}`);

  it("finds each problem with its field path", () => {
    const p = pod({
      restartPolicy: "Sometimes",
      volumes: [
        { name: "data", emptyDir: {} },
        { name: "data", emptyDir: {}, hostPath: { path: "/x" } },
        { name: "none" },
      ],
      containers: [
        { name: "Base", image: "" },
        {
          name: "side",
          image: "x",
          volumeMounts: [{ name: "nope", mountPath: "rel" }],
          env: [{ name: "1X", value: "v" }],
        },
        { name: "side", image: "x" },
      ],
    });
    expect(problems(p)).toEqual(
      expect.arrayContaining([
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.volumes[1].name: Duplicate value: "data"',
        "spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type",
        "spec.volumes[2]: Required value: must specify a volume type",
        expect.stringMatching(
          /^spec\.containers\[0\]\.name: Invalid value: "Base": a lowercase RFC 1123 label/,
        ),
        "spec.containers[0].image: Required value",
        'spec.containers[1].volumeMounts[0].name: Not found: "nope"',
        'spec.containers[1].volumeMounts[0].mountPath: Invalid value: "rel": must be an absolute path',
        expect.stringMatching(
          /^spec\.containers\[1\]\.env\[0\]\.name: Invalid value: "1X": a valid environment variable name/,
        ),
        'spec.containers[2].name: Duplicate value: "side"',
      ]),
    );
  });

  it("refuses ephemeralContainers on create, as kube-apiserver's ValidatePodCreate does", () => {
    const p = pod({ containers: [{ name: "base", image: "busybox" }] });
    Object.assign(p.spec, { ephemeralContainers: [{ name: "dbg", image: "busybox" }] });
    expect(problems(p)).toEqual(["spec.ephemeralContainers: Forbidden: cannot be set on create"]);
  });

  it("accepts a plain pod after defaulting, with the service account token mounted", () => {
    const p = pod({ containers: [{ name: "base", image: "busybox" }] });
    expect(problems(p)).toEqual([]);
    expect(p.spec.restartPolicy).toBe("Always");
    expect(p.spec.containers[0]?.imagePullPolicy).toBe("Always");
    expect(p.spec.containers[0]?.volumeMounts?.[0]?.mountPath).toBe(
      "/var/run/secrets/kubernetes.io/serviceaccount",
    );
  });
});
