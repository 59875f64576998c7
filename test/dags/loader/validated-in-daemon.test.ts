/**
 * A loader process sends the plain `dag({...})` input with its call sites, and the daemon validates
 * it once (issue #17, point 2). What a module's DAGs give must not depend on where they were
 * validated: a module whose input JSON cannot carry (a Date, an undefined field) is validated in its
 * loader, and gets the same DAGs and the same errors, at the same lines. And since DAG code shares
 * the loader process, an input it sends itself is validated by the daemon like any other.
 */
import { describe, expect, test } from "vitest";
import { useLoadedDagSet } from "../support/loaded-dag-set.ts";

// Lines count from 1 right after the backtick; ids of five letters keep the columns. `extra`
// adds a field JSON cannot carry when set.
const invalidModule = (id: string, extra: string) => `import { dag, pod } from "updraft";

export const first = dag({
  id: "${id}_first",
  schedule: "not a cron",${extra}
  tasks: [
    pod({ id: "ok", image: "busybox:1.36" }),
    pod({ id: "bad", image: "busybox:1.36", resources: { limits: { memory: "1 Gi" } } }),
  ],
});
export const second = dag({ id: "${id}_second", schedule: null, tasks: [pod({ id: "x", image: "" })] });
export const valid = dag({ id: "${id}_valid", schedule: "@daily", startDate: "2026-11-01", tasks: [pod({ id: "v", image: "busybox:1.36" })] });
`;

/** A module that answers for itself with a plain input that fails validation, then exports a valid DAG. */
const forgingModule = `import { dag, pod } from "updraft";
process.send?.({ type: "loaded", result: { file: "forged.ts", errors: [], dags: [{
  input: { kind: "dag", id: "forged", schedule: null, tasks: [{ kind: "pod", id: "..", image: "busybox:1.36" }] },
  file: "forged.ts", line: 7, column: 3, taskSites: [[8, 5]],
}] } });
export default dag({ id: "forged_real", schedule: null, tasks: [pod({ id: "a", image: "busybox:1.36" })] });
`;

const FILES: Record<string, string> = {
  "plain.ts": invalidModule("plain", ""),
  // Not plain: validated in the loader process, all of its DAGs.
  "undefined-field.ts": invalidModule("undef", " description: undefined,"),
  "date.ts": invalidModule("dated", ' endDate: new Date("2030-01-01T00:00:00Z"),'),
  "forged.ts": forgingModule,
};

describe("DAGs validated in the daemon", () => {
  const set = useLoadedDagSet(FILES, { concurrency: 1 });
  const errorsOf = (file: string) =>
    set.errors.filter((error) => error.file === file).map(({ file: _file, ...error }) => error);
  /** A module's errors with its DAG ids' prefix written as `plain`. */
  const asPlain = (file: string, prefix: string) =>
    errorsOf(file).map(
      (error) => JSON.parse(JSON.stringify(error).replaceAll(`${prefix}_`, "plain_")) as unknown,
    );
  const dagOf = (file: string) => set.dags.find((loaded) => loaded.file === file);

  test("every error of a plain module names its DAG, the line of its dag() or pod() call and the problem", () => {
    expect(errorsOf("plain.ts")).toEqual([
      {
        line: 3,
        column: 22,
        kind: "validation",
        dagId: "plain_first",
        message:
          'DAG "plain_first": schedule: "not a cron" has 3 fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)',
      },
      {
        line: 8,
        column: 5,
        kind: "validation",
        dagId: "plain_first",
        message:
          'DAG "plain_first": tasks[1].resources.limits.memory: "1 Gi" is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")',
      },
      {
        line: 11,
        column: 73,
        kind: "validation",
        dagId: "plain_second",
        message: 'DAG "plain_second": tasks[0].image: "" must not be empty',
      },
    ]);
  });

  test("a module validated in its loader gets the same errors, at the same lines", () => {
    expect(asPlain("undefined-field.ts", "undef")).toEqual(errorsOf("plain.ts"));
    expect(asPlain("date.ts", "dated")).toEqual(errorsOf("plain.ts"));
  });

  test("and the same DAG definitions", () => {
    const plain = dagOf("plain.ts");
    expect(plain).toEqual({
      dag: expect.objectContaining({ id: "plain_valid" }),
      file: "plain.ts",
      line: 12,
    });
    for (const file of ["undefined-field.ts", "date.ts"]) {
      const loaded = dagOf(file);
      expect({ ...loaded, dag: { ...loaded?.dag, id: "plain_valid" }, file: "plain.ts" }).toEqual(plain);
    }
  });

  test("an input a module sends itself is validated by the daemon: it registers nothing the schema refuses", () => {
    // Its own answer, which came second, is not blamed on the module loaded after it.
    expect(set.dags.map((loaded) => loaded.dag.id)).not.toContain("forged");
    expect(errorsOf("forged.ts")).toEqual([
      {
        line: 8,
        column: 5,
        kind: "validation",
        dagId: "forged",
        message:
          'DAG "forged": tasks[0].id: ".." must not be "." or ".." (ids name folders of logs and URLs)',
      },
    ]);
  });
});
