/** `updraft check` run as users run it: `node bin/updraft.mjs check <dir>` in a child process. */
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runBin } from "./support/run-bin.ts";
import { type DagFolder, makeDagFolder, simpleDag } from "../dags/support/dag-folder.ts";

const ORDERS = `import { dag, pod } from "updraft";

export default dag({
  id: "orders",
  schedule: "0 6 * * *",
  tasks: [
    pod({ id: "extract", image: "busybox:1.36" }),
    pod({ id: "load", image: "alpine:3", dependsOn: "extract" }),
  ],
});
`;
const SYNTAX_ERROR = `import { dag, pod } from "updraft";

export default dag({
  id: "broken",
  schedule: null,
  tasks: [pod({ id: "a", image: "busybox" )],
});
`;
const BAD_QUANTITY = `import { dag, pod } from "updraft";
export default dag({
  id: "quantity",
  schedule: null,
  tasks: [pod({ id: "a", image: "busybox", resources: { limits: { memory: "1 Gi" } } })],
});
`;
const NEXT_SIX_AM = /^\d{4}-\d{2}-\d{2}T06:00:00\.000Z$/;

describe("updraft check", () => {
  let good: DagFolder;
  let broken: DagFolder;

  beforeAll(async () => {
    good = await makeDagFolder({ "etl/orders.ts": ORDERS, "manual.ts": simpleDag("manual") });
    broken = await makeDagFolder({
      "manual.ts": simpleDag("manual"),
      "broken.ts": SYNTAX_ERROR,
      "nested/quantity.ts": BAD_QUANTITY,
    });
  });

  afterAll(async () => {
    await good.cleanup();
    await broken.cleanup();
  });

  test("a good folder: exit 0, each DAG with file:line, schedule, next run and tasks with dependencies", async () => {
    const result = await runBin(["check", good.root]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      `manual  ${good.root}/manual.ts:2`,
      "  schedule: manual   next run: -",
      "  - only  busybox:1.36",
      `orders  ${good.root}/etl/orders.ts:3`,
      expect.stringMatching(
        /^ {2}schedule: 0 6 \* \* \* \(UTC\) {3}next run: \d{4}-\d{2}-\d{2}T06:00:00\.000Z$/,
      ),
      "  - extract  busybox:1.36",
      "  - load  alpine:3  after extract",
      "",
      "2 DAGs, 0 errors",
      "",
    ]);
  });

  test("without a folder it checks the current directory and shows paths relative to it", async () => {
    const result = await runBin(["check"], { cwd: good.root });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("manual  manual.ts:2\n");
    expect(result.stdout).toContain("orders  etl/orders.ts:3\n");
  });

  test("a broken folder: exit 1, every error as file:line:column with its kind and message", async () => {
    const result = await runBin(["check", broken.root]);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      `manual  ${broken.root}/manual.ts:2`,
      "  schedule: manual   next run: -",
      "  - only  busybox:1.36",
      "",
      "Errors:",
      `  ${broken.root}/broken.ts:6:43  [syntax] SyntaxError: Expected "}" but found ")"`,
      `  ${broken.root}/nested/quantity.ts:5:11  [validation] DAG "quantity": tasks[0].resources.limits.memory: "1 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")`,
      "",
      "1 DAG, 2 errors",
      "",
    ]);
  });

  test("--json: dags[] and errors[] with file, line and message", async () => {
    const notBefore = Date.now();
    const result = await runBin(["check", broken.root, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toEqual([
      {
        file: "broken.ts",
        line: 6,
        column: 43,
        kind: "syntax",
        message: 'SyntaxError: Expected "}" but found ")"',
      },
      {
        file: "nested/quantity.ts",
        line: 5,
        column: 11,
        kind: "validation",
        dagId: "quantity",
        message:
          'DAG "quantity": tasks[0].resources.limits.memory: "1 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
      },
    ]);
    expect(report.dags).toEqual([
      expect.objectContaining({
        id: "manual",
        file: "manual.ts",
        line: 2,
        schedule: null,
        timezone: "UTC",
        nextRunAt: null,
        paused: false,
        tasks: [{ id: "only", image: "busybox:1.36", dependsOn: [] }],
      }),
    ]);

    const goodReport = JSON.parse((await runBin(["check", good.root, "--json"])).stdout);
    const orders = goodReport.dags.find((dag: { id: string }) => dag.id === "orders");
    expect(orders).toMatchObject({
      file: "etl/orders.ts",
      line: 3,
      schedule: "0 6 * * *",
      tasks: [
        { id: "extract", image: "busybox:1.36", dependsOn: [] },
        { id: "load", image: "alpine:3", dependsOn: ["extract"] },
      ],
      spec: { id: "orders", retries: 0 },
    });
    expect(orders.nextRunAt).toMatch(NEXT_SIX_AM);
    const nextRun = Date.parse(orders.nextRunAt);
    expect(nextRun).toBeGreaterThan(notBefore);
    expect(nextRun).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
  });

  test("--load-timeout is applied: a hanging module is reported with the limit", async () => {
    const hanging = await makeDagFolder({
      "hangs.ts": 'import "updraft";\nawait new Promise(() => {});\n',
      "ok.ts": simpleDag("ok"),
    });
    try {
      const result = await runBin(["check", hanging.root, "--load-timeout", "2s", "--json"]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.dags.map((dag: { id: string }) => dag.id)).toEqual(["ok"]);
      expect(report.errors).toEqual([
        {
          file: "hangs.ts",
          line: null,
          column: null,
          kind: "timeout",
          message: expect.stringContaining("did not finish loading within 2s"),
        },
      ]);
    } finally {
      await hanging.cleanup();
    }
  });

  test("an empty folder has nothing wrong: exit 0", async () => {
    const empty = await makeDagFolder({ "README.md": "# no DAGs yet\n" });
    try {
      const result = await runBin(["check", empty.root]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe("\n0 DAGs, 0 errors\n");
    } finally {
      await empty.cleanup();
    }
  });

  test("a loader folder other users could write to exits 1 with a one-line message, no stack", async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), "updraft-shared-tmp-"));
    try {
      const shared = path.join(tmp, `updraft-${process.getuid?.() ?? 0}`);
      await mkdir(shared);
      await chmod(shared, 0o777);
      const result = await runBin(["check", good.root], { env: { TMPDIR: tmp } });
      expect(result.code, result.stderr).toBe(1);
      // The CLI bundle lives there too: the bin says once that it falls back to tsx, then the
      // loader runtime's refusal ends the command.
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines.at(-1)).toBe(
        `updraft: ${shared} is not a private folder of this user (uid ${process.getuid?.() ?? 0}): remove it or set TMPDIR to a private folder`,
      );
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  test("a bad --load-timeout value exits 2 with a message naming the flag", async () => {
    const result = await runBin(["check", good.root, "--load-timeout", "soon"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('updraft: --load-timeout: "soon" is not a duration');
  });

  test("the flag's environment variable is read, and checked the same way", async () => {
    const result = await runBin(["check", good.root], { env: { UPDRAFT_LOAD_TIMEOUT: "soon" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('updraft: --load-timeout: "soon" is not a duration');
  });

  test("a bad --load-memory value exits 2 with a message naming the flag", async () => {
    const result = await runBin(["check", good.root, "--load-memory", "8"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'updraft: --load-memory: "8" is not a whole number of megabytes (at least 32)',
    );
  });

  test("an unknown flag exits 2 naming it", async () => {
    const result = await runBin(["check", good.root, "--jsn"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--jsn");
  });

  test("a folder that does not exist exits 2 naming it, without a stack trace", async () => {
    const missing = `${good.root}/no-such-folder`;
    const result = await runBin(["check", missing]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`updraft: check: "${missing}" is not a folder`);
    expect(result.stderr).not.toContain("    at ");
  });
});
