/**
 * Every kind of broken DAG module, loaded together through real loader processes: each error names
 * the file, the line (and column) to fix and what is wrong, and no module is affected by another.
 * Timeouts and memory limits are in limits.test.ts.
 */
import { describe, expect, test } from "vitest";
import type { LoadError } from "../../../src/dags/loader/load-error.ts";
import { simpleDag } from "../support/dag-folder.ts";
import { useLoadedDagSet } from "../support/loaded-dag-set.ts";

// Sources start on line 1 right after the backtick; the line numbers asserted below count from there.
const FILES: Record<string, string> = {
  "good.ts": simpleDag("good"),
  "syntax.ts": `import { dag, pod } from "updraft";

export default dag({
  id: "syntax",
  schedule: null,
  tasks: [pod({ id: "a", image: "busybox" )],
});
`,
  "throws.ts": `import { dag, pod } from "updraft";

const region = "eu";
throw new Error(\`no cluster configured for region \${region}\`);
export default dag({ id: "throws", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "throws-in-function.ts": `import { dag, pod } from "updraft";

function imageFor(env: string): string {
  throw new RangeError(\`no image for \${env}\`);
}

export default dag({ id: "fn", schedule: null, tasks: [pod({ id: "a", image: imageFor("qa") })] });
`,
  "throws-in-helper.ts": `import { dag, pod } from "updraft";
import { IMAGE } from "./lib/explode.ts";

export default dag({ id: "helper_throws", schedule: null, tasks: [pod({ id: "a", image: IMAGE })] });
`,
  "lib/explode.ts": `export const IMAGE = "busybox";
throw new TypeError("helper refuses to load");
`,
  "exits.ts": `import { dag, pod } from "updraft";

if (!process.env.SOME_UNSET_VARIABLE) process.exit(3);
export default dag({ id: "exits", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "missing-helper.ts": `import { dag, pod } from "updraft";
import { IMAGE } from "./lib/not-there.ts";

export default dag({ id: "missing_helper", schedule: null, tasks: [pod({ id: "a", image: IMAGE })] });
`,
  "missing-helper-extensionless.ts": `import { dag, pod } from "updraft";

import { IMAGE } from "./lib/absent";
export default dag({ id: "missing_ext", schedule: null, tasks: [pod({ id: "a", image: IMAGE })] });
`,
  "invalid-field.ts": `import { dag, pod } from "updraft";

export default dag({
  id: "invalid_field",
  schedule: null,
  tasks: [
    pod({ id: "a", image: "busybox" }),
    pod({
      id: "b",
      image: "busybox",
      resources: { limits: { memory: "1 Gi" } },
    }),
  ],
});
`,
  "duplicate-task.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "duplicate_task",
  schedule: null,
  tasks: [
    pod({ id: "a", image: "busybox" }),
    pod({ id: "b", image: "busybox" }),
    pod({ id: "a", image: "busybox:1.36" }),
  ],
});
`,
  "missing-dependency.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "missing_dependency",
  schedule: null,
  tasks: [
    pod({ id: "a", image: "busybox" }),
    pod({ id: "b", image: "busybox", dependsOn: ["a", "x"] }),
  ],
});
`,
  "cycle.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "cycle",
  schedule: null,
  tasks: [
    pod({ id: "a", image: "busybox", dependsOn: "b" }),
    pod({ id: "b", image: "busybox", dependsOn: ["a"] }),
  ],
});
`,
  "schedules.ts": `import { dag, pod } from "updraft";
const tasks = [pod({ id: "a", image: "busybox" })];
export const tooFew = dag({ id: "too_few", schedule: "* * *", tasks });
export const tooMany = dag({ id: "too_many", schedule: "0 0 * * * * *", tasks });
export const outOfRange = dag({ id: "out_of_range", schedule: "61 * * * *", tasks });
export const badPreset = dag({ id: "bad_preset", schedule: "@fortnightly", tasks });
`,
  "timezone.ts": `import { dag, pod } from "updraft";

export default dag({
  id: "timezone",
  schedule: "@daily",
  timezone: "Mars/Olympus_Mons",
  tasks: [pod({ id: "a", image: "busybox" })],
});
`,
  "images.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "images",
  schedule: null,
  tasks: [
    pod({ id: "upper", image: "Busybox:latest" }),
    pod({ id: "empty_tag", image: "busybox:" }),
  ],
});
`,
  "kubernetes-names.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "kubernetes_names",
  schedule: null,
  tasks: [
    pod({ id: "ns", image: "busybox", namespace: "Jobs_1" }),
    pod({ id: "label", image: "busybox", labels: { "bad key": "v" } }),
    pod({ id: "mount", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }] }),
  ],
});
`,
  "task-from-helper.ts": `import { dag } from "updraft";
import { busyboxTask } from "./lib/tasks.ts";

export default dag({
  id: "task_from_helper",
  schedule: null,
  tasks: [busyboxTask("ok", "1.36"), busyboxTask("bad", "-x")],
});
`,
  "lib/tasks.ts": `import { pod } from "updraft";

export function busyboxTask(id: string, tag: string) {
  return pod({ id, image: \`busybox:\${tag}\`, command: ["true"] });
}
`,
  "dag-from-factory.ts": `import "updraft";
import { single } from "./lib/factory.ts";

export const fine = single("factory_fine", "busybox");
export const broken = single("factory_broken", "Busybox");
`,
  "lib/factory.ts": `import { dag, pod } from "updraft";
export const single = (id: string, image: string) => dag({ id, schedule: null, tasks: [pod({ id: "only", image })] });
`,
  "dups/first.ts": simpleDag("shared_id"),
  "dups/second.ts": `// The same id as dups/first.ts.
${simpleDag("shared_id", "alpine:3")}`,
};

describe("load errors", () => {
  const set = useLoadedDagSet(FILES);
  const errorsOf = (file: string): LoadError[] => set.errors.filter((error) => error.file === file);

  test("only the valid DAGs load; every broken file is reported and nothing else is", () => {
    expect(set.dags.map((loaded) => [loaded.dag.id, loaded.file, loaded.line])).toEqual([
      ["factory_fine", "dag-from-factory.ts", 4],
      ["good", "good.ts", 2],
      ["shared_id", "dups/first.ts", 2],
    ]);
    expect([...new Set(set.errors.map((error) => error.file))].sort()).toEqual(
      [
        "cycle.ts",
        "dag-from-factory.ts",
        "dups/second.ts",
        "duplicate-task.ts",
        "exits.ts",
        "images.ts",
        "invalid-field.ts",
        "kubernetes-names.ts",
        "missing-dependency.ts",
        "missing-helper-extensionless.ts",
        "missing-helper.ts",
        "schedules.ts",
        "syntax.ts",
        "task-from-helper.ts",
        "throws-in-function.ts",
        "throws-in-helper.ts",
        "throws.ts",
        "timezone.ts",
      ].sort(),
    );
  });

  test("syntax error: file:line:column of the unexpected token", () => {
    expect(errorsOf("syntax.ts")).toEqual([
      {
        file: "syntax.ts",
        line: 6,
        column: 43,
        kind: "syntax",
        message: expect.stringContaining('Expected "}" but found ")"'),
      },
    ]);
  });

  test("exception thrown at import: its message and the throwing line of the DAG file", () => {
    expect(errorsOf("throws.ts")).toEqual([
      {
        file: "throws.ts",
        line: 4,
        column: 7,
        kind: "exception",
        message: "Error: no cluster configured for region eu",
      },
    ]);
  });

  test("exception thrown by a function the module calls: the frame in the DAG file", () => {
    expect(errorsOf("throws-in-function.ts")).toEqual([
      {
        file: "throws-in-function.ts",
        line: 4,
        column: 9,
        kind: "exception",
        message: "RangeError: no image for qa",
      },
    ]);
  });

  test("exception thrown by an imported helper: reported on the module, naming the helper's line", () => {
    expect(errorsOf("throws-in-helper.ts")).toEqual([
      {
        file: "throws-in-helper.ts",
        line: null,
        column: null,
        kind: "exception",
        message: "TypeError: helper refuses to load (at lib/explode.ts:2:7)",
      },
    ]);
  });

  test("process.exit() is refused and reported at the call", () => {
    expect(errorsOf("exits.ts")).toEqual([
      {
        file: "exits.ts",
        line: 3,
        column: 47,
        kind: "exception",
        message: "Error: DAG modules must not call process.exit() (called with 3)",
      },
    ]);
  });

  test("a missing helper is reported at the import that names it", () => {
    expect(errorsOf("missing-helper.ts")).toEqual([
      {
        file: "missing-helper.ts",
        line: 2,
        column: 30,
        kind: "exception",
        message: expect.stringMatching(/Cannot find module '[^']*\/lib\/not-there\.ts'/),
      },
    ]);
    expect(errorsOf("missing-helper-extensionless.ts")).toEqual([
      {
        file: "missing-helper-extensionless.ts",
        line: 3,
        column: 30,
        kind: "exception",
        message: expect.stringMatching(/Cannot find module '[^']*\/lib\/absent'/),
      },
    ]);
  });

  test("invalid field: the zod path and the line of the pod() call", () => {
    expect(errorsOf("invalid-field.ts")).toEqual([
      {
        file: "invalid-field.ts",
        line: 8,
        column: 5,
        kind: "validation",
        dagId: "invalid_field",
        message:
          'DAG "invalid_field": tasks[1].resources.limits.memory: "1 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
      },
    ]);
  });

  test("duplicate task ids", () => {
    expect(errorsOf("duplicate-task.ts")).toEqual([
      {
        file: "duplicate-task.ts",
        line: 8,
        column: 5,
        kind: "validation",
        dagId: "duplicate_task",
        message: 'DAG "duplicate_task": tasks[2].id: duplicate task id "a" (also tasks[0])',
      },
    ]);
  });

  test("dependsOn naming a missing task", () => {
    expect(errorsOf("missing-dependency.ts")).toEqual([
      {
        file: "missing-dependency.ts",
        line: 7,
        column: 5,
        kind: "validation",
        dagId: "missing_dependency",
        message: 'DAG "missing_dependency": tasks[1].dependsOn: dependsOn ref "x" not found (tasks: a, b)',
      },
    ]);
  });

  test("a dependency cycle", () => {
    expect(errorsOf("cycle.ts")).toEqual([
      {
        file: "cycle.ts",
        line: 6,
        column: 5,
        kind: "validation",
        dagId: "cycle",
        message: 'DAG "cycle": tasks[0].dependsOn: cycle: a -> b -> a',
      },
    ]);
  });

  test("invalid cron expressions, including wrong field counts, at each dag() call", () => {
    const fields =
      "a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)";
    expect(errorsOf("schedules.ts")).toEqual([
      {
        file: "schedules.ts",
        line: 3,
        column: 23,
        kind: "validation",
        dagId: "too_few",
        message: `DAG "too_few": schedule: "* * *" has 3 fields; ${fields}`,
      },
      {
        file: "schedules.ts",
        line: 4,
        column: 24,
        kind: "validation",
        dagId: "too_many",
        message: `DAG "too_many": schedule: "0 0 * * * * *" has 7 fields; ${fields}`,
      },
      {
        file: "schedules.ts",
        line: 5,
        column: 27,
        kind: "validation",
        dagId: "out_of_range",
        message: expect.stringMatching(
          /^DAG "out_of_range": schedule: "61 \* \* \* \*" is not a valid cron expression: .*61.*0-59/,
        ),
      },
      {
        file: "schedules.ts",
        line: 6,
        column: 26,
        kind: "validation",
        dagId: "bad_preset",
        message: expect.stringContaining(
          'DAG "bad_preset": schedule: "@fortnightly" unknown preset "@fortnightly"',
        ),
      },
    ]);
  });

  test("an unknown time zone, at the dag() call", () => {
    expect(errorsOf("timezone.ts")).toEqual([
      {
        file: "timezone.ts",
        line: 3,
        column: 16,
        kind: "validation",
        dagId: "timezone",
        message: expect.stringContaining(
          'DAG "timezone": timezone: "Mars/Olympus_Mons" is not a known IANA time zone',
        ),
      },
    ]);
  });

  test("invalid image references: upper case repository, empty tag", () => {
    expect(errorsOf("images.ts")).toEqual([
      {
        file: "images.ts",
        line: 6,
        column: 5,
        kind: "validation",
        dagId: "images",
        message:
          'DAG "images": tasks[0].image: "Busybox:latest" repository name "Busybox" must be lower case',
      },
      {
        file: "images.ts",
        line: 7,
        column: 5,
        kind: "validation",
        dagId: "images",
        message: `DAG "images": tasks[1].image: "busybox:" tag "" is not valid (letters, digits, '_', '.', '-'; at most 128)`,
      },
    ]);
  });

  test("namespace, label key and volume mount names Kubernetes would reject", () => {
    expect(
      errorsOf("kubernetes-names.ts").map(({ line, column, message }) => ({ line, column, message })),
    ).toEqual([
      {
        line: 6,
        column: 5,
        message: `DAG "kubernetes_names": tasks[0].namespace: "Jobs_1" must consist of lower case letters, digits and '-', and start and end with a letter or digit`,
      },
      {
        line: 7,
        column: 5,
        message: `DAG "kubernetes_names": tasks[1].labels["bad key"]: key "bad key" name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit`,
      },
      {
        line: 8,
        column: 5,
        message: `DAG "kubernetes_names": tasks[2].volumeMounts[0].name: "data" is not one of the task's volumes (none declared)`,
      },
    ]);
  });

  test("a task built by a helper is located in the DAG module, never at a line of another file", () => {
    expect(errorsOf("task-from-helper.ts")).toEqual([
      {
        file: "task-from-helper.ts",
        line: 7,
        column: 38,
        kind: "validation",
        dagId: "task_from_helper",
        message: `DAG "task_from_helper": tasks[1].image: "busybox:-x" tag "-x" is not valid (letters, digits, '_', '.', '-'; at most 128)`,
      },
    ]);
  });

  test("a DAG built by a factory in another file is located at the factory call in the module", () => {
    expect(errorsOf("dag-from-factory.ts")).toEqual([
      {
        file: "dag-from-factory.ts",
        line: 5,
        column: 23,
        kind: "validation",
        dagId: "factory_broken",
        message:
          'DAG "factory_broken": tasks[0].image: "Busybox" repository name "Busybox" must be lower case',
      },
    ]);
    expect(set.dags.find((loaded) => loaded.dag.id === "factory_fine")).toMatchObject({
      file: "dag-from-factory.ts",
      line: 4,
    });
    expect(errorsOf("lib/factory.ts")).toEqual([]);
  });

  test("duplicate DAG ids across files: the first file keeps the id, the error names both", () => {
    expect(set.dags.find((loaded) => loaded.dag.id === "shared_id")?.file).toBe("dups/first.ts");
    expect(errorsOf("dups/first.ts")).toEqual([]);
    expect(errorsOf("dups/second.ts")).toEqual([
      {
        file: "dups/second.ts",
        line: 3,
        column: null,
        kind: "duplicate",
        dagId: "shared_id",
        message:
          'DAG id "shared_id" is defined twice: in dups/first.ts:2 (in use) and in dups/second.ts:3; DAG ids must be unique across the repository',
      },
    ]);
  });

  test("helpers are not loaded as DAG modules", () => {
    expect(set.modules.has("lib/explode.ts")).toBe(false);
    expect(errorsOf("lib/explode.ts")).toEqual([]);
  });
});
