/** Issue 15 point 5: `updraft check` reports a bad params declaration with file:line and the param's path. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type DagFolder, makeDagFolder } from "../dags/support/dag-folder.ts";
import { runBin } from "./support/run-bin.ts";

const BAD_PARAMS = `import { dag, pod } from "updraft";

export default dag({
  id: "bad_params",
  schedule: null,
  params: {
    region: { type: "string", enum: [] },
    limit: { type: "integer", minimum: 1, default: 0 },
    dryRun: { type: "boolean", colour: "red" },
  },
  tasks: [pod({ id: "a", image: "busybox" })],
});
`;
const GOOD_PARAMS = `import { dag, pod } from "updraft";
export default dag({
  id: "good_params",
  schedule: "@daily",
  params: { region: { type: "string", enum: ["eu", "us"], default: "eu" }, day: { type: "date" } },
  tasks: [pod({ id: "a", image: "busybox" })],
});
`;

describe("updraft check: params", () => {
  let folder: DagFolder;
  beforeAll(async () => {
    folder = await makeDagFolder({ "bad.ts": BAD_PARAMS, "good.ts": GOOD_PARAMS });
  });
  afterAll(() => folder.cleanup());

  test("a bad declaration is an error at the dag() call naming each param's path; a good one loads", async () => {
    const result = await runBin(["check", folder.root, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      dags: Array<{ id: string }>;
      errors: Array<{ file: string; line: number; message: string }>;
    };
    expect(report.dags.map((d) => d.id)).toEqual(["good_params"]);
    expect(report.errors.map((e) => `${e.file}:${e.line} ${e.message}`)).toEqual([
      'bad.ts:3 DAG "bad_params": params.region.enum: must list at least one value',
      'bad.ts:3 DAG "bad_params": params.limit.default: must be an integer ≥ 1, got 0',
      'bad.ts:3 DAG "bad_params": params.dryRun: Unrecognized key: "colour"',
    ]);
    const text = await runBin(["check", folder.root]);
    expect(text.stdout).toContain(
      `${folder.root}/bad.ts:3:16  [validation] DAG "bad_params": params.limit.default: must be an integer ≥ 1, got 0`,
    );
  });
});
