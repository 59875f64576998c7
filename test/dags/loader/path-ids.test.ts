/**
 * Ids that are paths never load (issue #11, point 11): a DAG file whose task id is `..`, `.` or
 * `a/b` is an import error naming the file and the field, and a module that forges the loader's
 * answer with `process.send` does not get its forged DAG registered. Every other DAG still loads.
 */
import { describe, expect, test } from "vitest";
import { dagSchema } from "../../../src/dags/spec/dag-schema.ts";
import { simpleDag } from "../support/dag-folder.ts";
import { useLoadedDagSet } from "../support/loaded-dag-set.ts";

const taskIdDag = (dagId: string, taskId: string) => `import { dag, pod } from "updraft";
export default dag({ id: ${JSON.stringify(dagId)}, schedule: null, tasks: [pod({ id: ${JSON.stringify(taskId)}, image: "busybox:1.36" })] });
`;

/** A definition exactly as a loader sends one, with task id `taskId` (`..` passes no validation). */
function forgedDefinition(id: string, taskId: string): unknown {
  const definition = dagSchema.parse({
    kind: "dag",
    id,
    schedule: "* * * * *",
    tasks: [{ kind: "pod", id: "placeholder", image: "busybox:1.36", command: ["true"] }],
  });
  return { ...definition, tasks: definition.tasks.map((task) => ({ ...task, id: taskId })) };
}

/** A module that answers for itself before the loader does, then exports a valid DAG. */
const forgingModule = (file: string, id: string, taskId = "..") => `import { dag, pod } from "updraft";
process.send?.({ type: "loaded", result: { file: ${JSON.stringify(file)}, errors: [], dags: [
  { file: ${JSON.stringify(file)}, line: 1, dag: ${JSON.stringify(forgedDefinition(id, taskId))} },
] } });
export default dag({ id: "${id}_real", schedule: null, tasks: [pod({ id: "a", image: "busybox:1.36" })] });
`;

/** A module that sends messages of every wrong shape on the loader's channel. */
const garbageModule = `import { dag, pod } from "updraft";
for (const message of [null, 42, "loaded", [], {}, { type: "loaded" }, { type: "loaded", result: null },
  { type: "loaded", result: { file: "garbage.ts", dags: "x", errors: [] } },
  { type: "loaded", result: { file: "garbage.ts", dags: [{ dag: null, file: "garbage.ts", line: 1 }], errors: [] } },
  { type: "loaded", result: { file: "garbage.ts", dags: [], errors: [null] } },
  { type: "need", path: 42 }, { type: "need" }, { type: "ready" }, { type: "source" }])
  process.send?.(message);
export default dag({ id: "garbage_real", schedule: null, tasks: [pod({ id: "a", image: "busybox:1.36" })] });
`;

const FILES: Record<string, string> = {
  "good.ts": simpleDag("good"),
  "dotdot-task.ts": taskIdDag("dotdot_task", ".."),
  "dot-task.ts": taskIdDag("dot_task", "."),
  "slash-task.ts": taskIdDag("slash_task", "a/b"),
  "dotdot-dag.ts": taskIdDag("..", "a"),
  "forged.ts": forgingModule("forged.ts", "forged"),
  // A valid DAG, claimed to be another file's answer: that file keeps its own.
  "forged-other.ts": forgingModule("good.ts", "forged_other", "fine"),
  "garbage.ts": garbageModule,
  "zz-after.ts": simpleDag("zz_after"),
};

describe("ids that are paths", () => {
  // One process for every module, so a forged answer has the chance to be taken for another's.
  const set = useLoadedDagSet(FILES, { concurrency: 1 });
  const errorsOf = (file: string) => set.errors.filter((error) => error.file === file);

  test("only the valid DAGs load; no task or DAG id is a path", () => {
    expect(set.dags.map((loaded) => [loaded.dag.id, loaded.file])).toEqual([
      ["good", "good.ts"],
      ["zz_after", "zz-after.ts"],
    ]);
    for (const loaded of set.dags) expect(loaded.dag.tasks.map((task) => task.id)).toEqual(["only"]);
  });

  test.each([
    [
      "dotdot-task.ts",
      "dotdot_task",
      'tasks[0].id: ".." must not be "." or ".." (ids name folders of logs and URLs)',
    ],
    [
      "dot-task.ts",
      "dot_task",
      'tasks[0].id: "." must not be "." or ".." (ids name folders of logs and URLs)',
    ],
    ["slash-task.ts", "slash_task", `tasks[0].id: "a/b" may only contain letters, digits, '_', '-' and '.'`],
    ["dotdot-dag.ts", "..", 'id: ".." must not be "." or ".." (ids name folders of logs and URLs)'],
  ])("%s is an import error naming the file, the field and the rule", (file, dagId, message) => {
    expect(errorsOf(file)).toEqual([
      expect.objectContaining({ file, kind: "validation", dagId, message: `DAG "${dagId}": ${message}` }),
    ]);
  });

  test.each([
    ["forged.ts", /DAG "forged": tasks\[0\]\.id: "\.\." must not be "\." or "\.\."/],
    ["forged-other.ts", /answer for "good\.ts"/],
    ["garbage.ts", /not a loader message/],
  ])("%s: what the module sent itself is a load error of that file", (file, detail) => {
    const errors = errorsOf(file);
    expect(errors).toEqual([
      expect.objectContaining({ file, kind: "validation", message: expect.stringContaining("process.send") }),
    ]);
    expect(errors[0]?.message).toMatch(detail);
  });
});
