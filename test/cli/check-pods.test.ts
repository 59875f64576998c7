// Issue 14 point 6: `updraft check` builds each task's Pod as the executor will (--pod-template, the
// task's fields, its podOverride; `{{ ... }}` left as written) and validates it with no cluster.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runBin } from "./support/run-bin.ts";
import { type DagFolder, makeDagFolder, simpleDag } from "../dags/support/dag-folder.ts";

const BAD_OVERRIDE = `import { dag, pod } from "updraft";
export default dag({
  id: "bad_override",
  schedule: null,
  tasks: [
    pod({ id: "ok", image: "busybox" }),
    pod({
      id: "a",
      image: "busybox",
      podOverride: { spec: { containers: [{ name: "base", resources: { limits: { cpu: "lots" } } }], dnsPolicy: "Cluster" } },
    }),
  ],
});
`;
const INCOMPLETE = `import { dag, pod } from "updraft";
export default dag({
  id: "incomplete",
  schedule: null,
  tasks: [
    pod({
      id: "a",
      image: "busybox",
      args: ["{{ ds }}"],
      podOverride: { spec: { containers: [{ name: "side", volumeMounts: [{ name: "cache", mountPath: "/cache" }] }] } },
    }),
  ],
});
`;
const OWNED = `import { dag, pod } from "updraft";
export default dag({
  id: "owned",
  schedule: null,
  tasks: [pod({ id: "a", image: "busybox", podOverride: { spec: { restartPolicy: "Always" } } })],
});
`;

describe("updraft check: each task's Pod", () => {
  let folder: DagFolder;
  let template: string;
  let badTemplate: string;

  beforeAll(async () => {
    folder = await makeDagFolder({
      "fine.ts": simpleDag("fine"),
      "bad-override.ts": BAD_OVERRIDE,
      "incomplete.ts": INCOMPLETE,
      "owned.ts": OWNED,
    });
    template = path.join(folder.root, "..", `${path.basename(folder.root)}-template.yaml`);
    await writeFile(
      template,
      "apiVersion: v1\nkind: Pod\nspec:\n  volumes:\n    - name: cache\n      emptyDir: {}\n  containers:\n    - name: side\n      image: redis:7\n",
    );
    badTemplate = path.join(folder.root, "..", `${path.basename(folder.root)}-bad.yaml`);
    await writeFile(
      badTemplate,
      "spec:\n  containers:\n    - name: base\n      imagePullPolicy: Sometimes\n",
    );
  });
  afterAll(async () => {
    await folder.cleanup();
    await Promise.all(
      [template, badTemplate].map((file) =>
        import("node:fs/promises").then((fs) => fs.rm(file, { force: true })),
      ),
    );
  });

  test("--json: a bad podOverride and an incomplete Pod are errors naming file, line and field path; other DAGs load", async () => {
    const result = await runBin(["check", folder.root, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { dags: Array<{ id: string }>; errors: unknown[] };
    expect(report.dags.map((d) => d.id)).toEqual(["fine"]);
    expect(report.errors).toEqual([
      {
        file: "bad-override.ts",
        line: 7,
        column: 5,
        kind: "validation",
        dagId: "bad_override",
        message:
          'DAG "bad_override": tasks[1].podOverride.spec.containers[0].resources.limits.cpu: "lots" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
      },
      {
        file: "bad-override.ts",
        line: 7,
        column: 5,
        kind: "validation",
        dagId: "bad_override",
        message:
          'DAG "bad_override": tasks[1].podOverride.spec.dnsPolicy: "Cluster" is not one of "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      },
      {
        file: "incomplete.ts",
        line: 2,
        column: null,
        kind: "validation",
        dagId: "incomplete",
        message: 'DAG "incomplete": tasks[0].podOverride.spec.containers[0].image: is required',
      },
      {
        file: "incomplete.ts",
        line: 2,
        column: null,
        kind: "validation",
        dagId: "incomplete",
        message:
          'DAG "incomplete": tasks[0].podOverride.spec.containers[0].volumeMounts[0].name: "cache" is not one of the Pod\'s volumes (none declared)',
      },
      {
        file: "owned.ts",
        line: 5,
        column: 11,
        kind: "validation",
        dagId: "owned",
        message:
          'DAG "owned": tasks[0].podOverride.spec.restartPolicy: is set by updraft and cannot be set in podOverride: it stays "Never": a failed try is retried by updraft as a new Pod',
      },
    ]);
  });

  test("--pod-template: the Pod is checked as built from the template (its volume and sidecar image count)", async () => {
    const result = await runBin(["check", folder.root, "--json", "--pod-template", template]);
    const report = JSON.parse(result.stdout) as {
      dags: Array<{ id: string }>;
      errors: Array<{ dagId: string }>;
    };
    expect(report.dags.map((d) => d.id)).toEqual(["fine", "incomplete"]);
    expect(report.errors.map((e) => e.dagId)).toEqual(["bad_override", "bad_override", "owned"]);
  });

  test("an invalid --pod-template: exit 1 naming the flag, file, line and field", async () => {
    const result = await runBin(["check", folder.root, "--pod-template", badTemplate]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `--pod-template: ${badTemplate}:4: spec.containers.0.imagePullPolicy: "Sometimes" is not one of "Always", "IfNotPresent", "Never"`,
    );
  });
});
