// Issue 14 point 5: how a --pod-template, a task's fields and its podOverride combine, rule by rule.
import { describe, expect, it } from "vitest";
import { mergePod } from "../../src/kubernetes/pod-merge.ts";

describe("mergePod", () => {
  it("merges maps key by key: the later piece wins a key, the others stay", () => {
    const merged = mergePod(
      { metadata: { labels: { team: "data", tier: "batch" } }, spec: { nodeSelector: { pool: "a" } } },
      { metadata: { labels: { tier: "etl", app: "x" } } },
    );
    expect(merged).toEqual({
      metadata: { labels: { team: "data", tier: "etl", app: "x" } },
      spec: { nodeSelector: { pool: "a" } },
    });
  });

  it("removes a key given as null", () => {
    expect(
      mergePod(
        { spec: { nodeSelector: { pool: "a", zone: "z1" } } },
        { spec: { nodeSelector: { zone: null } } },
      ),
    ).toEqual({
      spec: { nodeSelector: { pool: "a" } },
    });
  });

  it("merges containers by name: fields of the same container merge, new containers are appended in order", () => {
    const merged = mergePod(
      {
        spec: {
          containers: [
            { name: "proxy", image: "envoy:1" },
            {
              name: "base",
              securityContext: { runAsNonRoot: true },
              resources: { limits: { memory: "1Gi" } },
            },
          ],
        },
      },
      {
        spec: {
          containers: [
            { name: "base", image: "app:2", resources: { limits: { cpu: "1" } } },
            { name: "logs", image: "fluent:1" },
          ],
        },
      },
    );
    expect(merged.spec.containers).toEqual([
      { name: "proxy", image: "envoy:1" },
      {
        name: "base",
        image: "app:2",
        securityContext: { runAsNonRoot: true },
        resources: { limits: { memory: "1Gi", cpu: "1" } },
      },
      { name: "logs", image: "fluent:1" },
    ]);
  });

  it.each([
    [
      "initContainers",
      { spec: { initContainers: [{ name: "a", image: "x" }] } },
      {
        spec: {
          initContainers: [
            { name: "a", image: "y" },
            { name: "b", image: "z" },
          ],
        },
      },
      {
        spec: {
          initContainers: [
            { name: "a", image: "y" },
            { name: "b", image: "z" },
          ],
        },
      },
    ],
    [
      "volumes",
      { spec: { volumes: [{ name: "cache", emptyDir: {} }] } },
      { spec: { volumes: [{ name: "data", emptyDir: {} }] } },
      {
        spec: {
          volumes: [
            { name: "cache", emptyDir: {} },
            { name: "data", emptyDir: {} },
          ],
        },
      },
    ],
    [
      "imagePullSecrets",
      { spec: { imagePullSecrets: [{ name: "reg" }] } },
      { spec: { imagePullSecrets: [{ name: "reg" }, { name: "other" }] } },
      { spec: { imagePullSecrets: [{ name: "reg" }, { name: "other" }] } },
    ],
  ])("merges %s by name", (_list, base, over, expected) => {
    expect(mergePod(base, over)).toEqual(expected);
  });

  it("merges env, volumeMounts and ports of a container by name", () => {
    const merged = mergePod(
      {
        containers: [
          {
            name: "base",
            env: [
              { name: "TZ", value: "UTC" },
              { name: "LEVEL", value: "info" },
            ],
            volumeMounts: [{ name: "cache", mountPath: "/cache" }],
            ports: [{ name: "metrics", containerPort: 9090 }],
          },
        ],
      },
      {
        containers: [
          {
            name: "base",
            env: [
              { name: "LEVEL", value: "debug" },
              { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
            ],
            volumeMounts: [{ name: "cache", mountPath: "/var/cache", readOnly: true }],
            ports: [{ name: "metrics", containerPort: 9100 }, { containerPort: 8080 }],
          },
        ],
      },
    );
    expect(merged.containers[0]).toEqual({
      name: "base",
      env: [
        { name: "TZ", value: "UTC" },
        { name: "LEVEL", value: "debug" },
        { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
      ],
      volumeMounts: [{ name: "cache", mountPath: "/var/cache", readOnly: true }],
      ports: [{ name: "metrics", containerPort: 9100 }, { containerPort: 8080 }],
    });
  });

  it("replaces other lists and scalars as a whole", () => {
    const merged = mergePod(
      {
        spec: {
          tolerations: [{ key: "gpu", operator: "Exists" }],
          serviceAccountName: "house",
          containers: [{ name: "base", args: ["a", "b"], envFrom: [{ secretRef: { name: "s1" } }] }],
        },
      },
      {
        spec: {
          tolerations: [{ key: "spot", operator: "Exists" }],
          serviceAccountName: "job",
          containers: [{ name: "base", args: ["c"], envFrom: [{ configMapRef: { name: "c1" } }] }],
        },
      },
    );
    expect(merged).toEqual({
      spec: {
        tolerations: [{ key: "spot", operator: "Exists" }],
        serviceAccountName: "job",
        containers: [{ name: "base", args: ["c"], envFrom: [{ configMapRef: { name: "c1" } }] }],
      },
    });
  });

  it("changes neither argument", () => {
    const base = {
      metadata: { labels: { a: "1" } },
      spec: { containers: [{ name: "base", env: [{ name: "A", value: "1" }] }] },
    };
    const over = {
      metadata: { labels: { b: "2" } },
      spec: { containers: [{ name: "base", env: [{ name: "A", value: "2" }] }] },
    };
    const before = structuredClone({ base, over });
    mergePod(base, over);
    expect({ base, over }).toEqual(before);
  });

  it("keeps a key named __proto__ as data, never as the prototype", () => {
    const over = JSON.parse('{"metadata":{"annotations":{"__proto__":{"polluted":true}}}}') as unknown;
    const merged = mergePod({ metadata: { annotations: { a: "1" } } }, over) as {
      metadata: { annotations: Record<string, unknown> };
    };
    expect(Object.hasOwn(merged.metadata.annotations, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged.metadata.annotations)).toBe(Object.prototype);
  });
});
