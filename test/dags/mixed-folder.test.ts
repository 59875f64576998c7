/** A folder of 5 good DAG modules and 20 broken ones, of every kind but the slow ones, at several depths. */
import { expect, test } from "vitest";
import { simpleDag } from "./support/dag-folder.ts";
import { useLoadedDagSet } from "./support/loaded-dag-set.ts";

/** A DAG module whose one task has `taskFields` (object literal text) spread over the defaults. */
const withTask = (id: string, taskFields: string, dagFields = "schedule: null") =>
  `import { dag, pod } from "updraft";
export default dag({ id: "${id}", ${dagFields}, tasks: [pod({ id: "t", image: "busybox", ${taskFields} })] });
`;
const withTasks = (id: string, tasks: string) =>
  `import { dag, pod } from "updraft";
export default dag({ id: "${id}", schedule: null, tasks: [${tasks}] });
`;

const GOOD: Record<string, string> = {
  "good/hello.ts": simpleDag("hello"),
  "good/nested/deeper/deepest/hourly.ts": withTask("hourly", 'command: ["date"]', 'schedule: "@hourly"'),
  "etl/orders.ts": `import { dag, pod } from "updraft";
import { IMAGE } from "./lib/image";
export default dag({ id: "orders", schedule: "*/5 * * * *", tasks: [pod({ id: "extract", image: IMAGE }), pod({ id: "load", image: IMAGE, dependsOn: "extract" })] });
`,
  "etl/lib/image.ts": 'export const IMAGE = "node:20-alpine";\n',
  "js/plain.mjs": simpleDag("plain_js"),
  "multi.ts": `import { dag, pod } from "updraft";
export const a = dag({ id: "multi", schedule: "0 6 * * 1-5", timezone: "Europe/Berlin", tasks: [pod({ id: "t", image: "busybox" })] });
`,
};

const BROKEN: Record<string, string> = {
  "broken/syntax-paren.ts": 'import { dag } from "updraft";\nexport default dag({ id: "x" );\n',
  "broken/syntax-string.ts": 'import { dag } from "updraft";\nconst s = "unterminated;\n',
  "broken/throws.ts": 'import "updraft";\nthrow new Error("boom");\n',
  "broken/deep/a/b/throws-in-function.ts":
    'import { dag } from "updraft";\nconst f = () => { throw new Error("nope") };\nexport default f();\n',
  "broken/exits.ts": 'import "updraft";\nprocess.exit(1);\n',
  // The imported names are used: TypeScript drops imports of names that are never used.
  "broken/missing-helper.ts": 'import "updraft";\nimport { x } from "./gone.ts";\nexport const y = x;\n',
  "broken/missing-helper-extensionless.ts":
    'import "updraft";\nimport { x } from "../lib/gone";\nexport const y = x;\n',
  "broken/quantity.ts": withTask("quantity", 'resources: { limits: { memory: "1 Gi" } }'),
  "broken/duplicate-task.ts": withTasks(
    "dup_task",
    'pod({ id: "a", image: "busybox" }), pod({ id: "a", image: "busybox" })',
  ),
  "broken/missing-dependency.ts": withTask("missing_dep", 'dependsOn: "x"'),
  "broken/cycle.ts": withTasks(
    "cycle",
    'pod({ id: "a", image: "busybox", dependsOn: "b" }), pod({ id: "b", image: "busybox", dependsOn: "a" })',
  ),
  "broken/cron-fields.ts": withTask("cron_fields", "", 'schedule: "* * *"'),
  "broken/cron-value.ts": withTask("cron_value", "", 'schedule: "0 0 32 * *"'),
  "broken/timezone.ts": withTask("tz", "", 'schedule: "@daily", timezone: "Europe/Springfield"'),
  "broken/image-upper.ts": withTask("image_upper", 'image: "Busybox:latest"'),
  "broken/image-tag.ts": withTask("image_tag", 'image: "busybox:"'),
  "broken/namespace.ts": withTask("namespace", 'namespace: "Jobs_1"'),
  "broken/label.ts": withTask("label", 'labels: { "bad key": "v" }'),
  "broken/volume-mount.ts": withTask("volume_mount", 'volumeMounts: [{ name: "data", mountPath: "/data" }]'),
  "zz/duplicate-dag-id.ts": simpleDag("hello", "alpine:3"),
};

const set = useLoadedDagSet({ ...GOOD, ...BROKEN });

test("the fixture really has 20 broken DAG modules", () => {
  expect(Object.keys(BROKEN)).toHaveLength(20);
});

test("exactly the 5 good DAGs load", () => {
  expect(set.dags.map((loaded) => [loaded.dag.id, loaded.file])).toEqual([
    ["hello", "good/hello.ts"],
    ["hourly", "good/nested/deeper/deepest/hourly.ts"],
    ["multi", "multi.ts"],
    ["orders", "etl/orders.ts"],
    ["plain_js", "js/plain.mjs"],
  ]);
});

test("exactly 20 errors, one on each broken file", () => {
  expect(set.errors).toHaveLength(20);
  expect(set.errors.map((error) => error.file)).toEqual(Object.keys(BROKEN).sort());
});

test("each error is of the kind its file was broken with", () => {
  const kinds = Object.fromEntries(set.errors.map((error) => [error.file, error.kind]));
  expect(kinds).toEqual({
    "broken/syntax-paren.ts": "syntax",
    "broken/syntax-string.ts": "syntax",
    "broken/throws.ts": "exception",
    "broken/deep/a/b/throws-in-function.ts": "exception",
    "broken/exits.ts": "exception",
    "broken/missing-helper.ts": "exception",
    "broken/missing-helper-extensionless.ts": "exception",
    "broken/quantity.ts": "validation",
    "broken/duplicate-task.ts": "validation",
    "broken/missing-dependency.ts": "validation",
    "broken/cycle.ts": "validation",
    "broken/cron-fields.ts": "validation",
    "broken/cron-value.ts": "validation",
    "broken/timezone.ts": "validation",
    "broken/image-upper.ts": "validation",
    "broken/image-tag.ts": "validation",
    "broken/namespace.ts": "validation",
    "broken/label.ts": "validation",
    "broken/volume-mount.ts": "validation",
    "zz/duplicate-dag-id.ts": "duplicate",
  });
});

test("every error has a line, and the message says what is wrong", () => {
  const byFile = new Map(set.errors.map((error) => [error.file, error]));
  expect(set.errors.filter((error) => error.line === null).map((error) => error.file)).toEqual([]);
  const fragments: Record<string, string> = {
    "broken/syntax-paren.ts": "SyntaxError",
    "broken/syntax-string.ts": "Unterminated string literal",
    "broken/throws.ts": "Error: boom",
    "broken/deep/a/b/throws-in-function.ts": "Error: nope",
    "broken/exits.ts": "must not call process.exit() (called with 1)",
    "broken/missing-helper.ts": "Cannot find module",
    "broken/missing-helper-extensionless.ts": "Cannot find module",
    "broken/quantity.ts": 'tasks[0].resources.limits.memory: "1 Gi" is not a Kubernetes quantity',
    "broken/duplicate-task.ts": 'tasks[1].id: duplicate task id "a"',
    "broken/missing-dependency.ts": 'dependsOn ref "x" not found',
    "broken/cycle.ts": "cycle: a -> b -> a",
    "broken/cron-fields.ts": 'schedule: "* * *" has 3 fields',
    "broken/cron-value.ts": 'schedule: "0 0 32 * *" is not a valid cron expression',
    "broken/timezone.ts": 'timezone: "Europe/Springfield" is not a known IANA time zone',
    "broken/image-upper.ts": 'repository name "Busybox" must be lower case',
    "broken/image-tag.ts": 'tag "" is not valid',
    "broken/namespace.ts": 'tasks[0].namespace: "Jobs_1" must consist of lower case letters',
    "broken/label.ts": 'tasks[0].labels["bad key"]: key "bad key"',
    "broken/volume-mount.ts": `"data" is not one of the task's volumes`,
    "zz/duplicate-dag-id.ts":
      'DAG id "hello" is defined twice: in good/hello.ts:2 (in use) and in zz/duplicate-dag-id.ts:2',
  };
  for (const [file, fragment] of Object.entries(fragments)) {
    expect(byFile.get(file)?.message, file).toContain(fragment);
  }
});

test("the helper is not a DAG module; only the 25 files importing updraft were evaluated", () => {
  expect([...set.modules.keys()].sort()).toEqual(
    [...Object.keys(GOOD), ...Object.keys(BROKEN)].filter((file) => file !== "etl/lib/image.ts").sort(),
  );
});
