// Issue 14 review: podOverrides and templates that tried to take what updraft owns, or that
// `updraft check` passed while the API server refuses them, or that crashed the check.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SettingsFileError } from "../../src/config/yaml-file.ts";
import type { DagDefinition } from "../../src/dags/spec/dag-schema.ts";
import { validateDag } from "../../src/dags/spec/validate-dag.ts";
import { readPodTemplate } from "../../src/kubernetes/pod-template.ts";
import { dagPodProblems } from "../../src/kubernetes/task-pod-check.ts";
import { dag, pod } from "../../src/sdk/index.ts";
import type { PodOverride } from "../../src/sdk/types.ts";

const sites = () => ({ file: "/dags/x.ts", line: 1, column: 1 });

/** Every problem the daemon's load would report for a task with this override: schema, then final Pod. */
function problems(podOverride: unknown, fields: Record<string, unknown> = {}): string[] {
  const value = dag({
    id: "d",
    schedule: null,
    tasks: [
      pod({ id: "a", image: "busybox", command: ["sh"], ...fields, podOverride: podOverride as PodOverride }),
    ],
  });
  const validation = validateDag(value, sites);
  if (!validation.ok) return validation.problems.map((p) => p.message);
  return dagPodProblems(validation.dag as DagDefinition, { template: undefined, namespace: "default" });
}

describe("podOverride cannot remove what updraft sets with null", () => {
  it.each([
    [{ metadata: { labels: null } }, "tasks[0].podOverride.metadata.labels: is set by updraft"],
    [{ metadata: { annotations: null } }, "tasks[0].podOverride.metadata.annotations: is set by updraft"],
    [
      { spec: { containers: [{ name: "base", env: null }] } },
      "tasks[0].podOverride.spec.containers[0].env: is set by updraft",
    ],
  ])("refuses %j", (override, start) => {
    const found = problems(override);
    expect(found.length, JSON.stringify(found)).toBe(1);
    expect(found[0]).toContain(start);
  });
});

describe("podOverride and --pod-template cannot replace UPDRAFT_* variables", () => {
  it("refuses an env entry of the base container named UPDRAFT_RUN_ID", () => {
    const found = problems({
      spec: { containers: [{ name: "base", env: [{ name: "UPDRAFT_RUN_ID", value: "other" }] }] },
    });
    expect(found).toEqual([
      'tasks[0].podOverride.spec.containers[0].env[0].name: is set by updraft and cannot be set in podOverride: "UPDRAFT_RUN_ID" is one of the variables updraft sets in the task container',
    ]);
  });

  it("allows UPDRAFT_* names in other containers (they are not the task's)", () => {
    expect(
      problems({
        spec: {
          initContainers: [{ name: "prep", image: "busybox", env: [{ name: "UPDRAFT_RUN_ID", value: "x" }] }],
        },
      }),
    ).toEqual([]);
  });
});

describe("the final Pod is checked as kube-apiserver checks it", () => {
  it("refuses an env var with both value and valueFrom (an override's valueFrom over a task's string)", () => {
    expect(
      problems(
        {
          spec: {
            containers: [
              { name: "base", env: [{ name: "DB", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] },
            ],
          },
        },
        { env: { DB: "plain" } },
      ),
    ).toEqual([
      "tasks[0].podOverride.spec.containers[0].env[0].valueFrom: may not be set when `value` is not empty (give `value: null` to drop the task's value)",
    ]);
  });

  it("accepts the override's valueFrom when it drops the task's value with null", () => {
    expect(
      problems(
        {
          spec: {
            containers: [
              {
                name: "base",
                env: [{ name: "DB", value: null, valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
              },
            ],
          },
        },
        { env: { DB: "plain" } },
      ),
    ).toEqual([]);
  });

  it("refuses ephemeralContainers, which a Pod cannot have when it is created", () => {
    expect(problems({ spec: { ephemeralContainers: [{ name: "dbg", image: "busybox" }] } })).toEqual([
      "tasks[0].podOverride.spec.ephemeralContainers: cannot be set when a Pod is created (kubectl debug adds them later)",
    ]);
  });
});

describe("a podOverride nested without end", () => {
  it("is refused at load, not a stack overflow in the check", () => {
    let inner: Record<string, unknown> = {};
    const root = inner;
    for (let i = 0; i < 20_000; i++) {
      const next = {};
      inner.x = next;
      inner = next;
    }
    const found = problems({ metadata: { managedFields: [{ fieldsV1: root }] } });
    expect(found.length).toBe(1);
    expect(found[0]).toContain(
      "tasks[0].podOverride.metadata.managedFields[0].fieldsV1: is nested deeper than",
    );
  });
});

describe("--pod-template with a YAML alias bomb", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "updraft-pod-attacks-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("stops start-up with a message naming the flag and file, not a crash", async () => {
    const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const file = path.join(dir, "bomb.yaml");
    await writeFile(file, `${lines.join("\n")}\n`);
    let error: unknown;
    try {
      readPodTemplate(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsFileError);
    expect((error as Error).message).toMatch(/^--pod-template: .*bomb\.yaml: .*aliases/);
  });
});
