// Issue 17 point 3 (lag): tryLogFile joins the ids to a resolved logs folder (kept per absolute
// folder) instead of resolving per try; it must name exactly the file path.resolve would.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tryLogFile, UnsafeTryPathError } from "../../src/runs/try-files.ts";

const key = { dagId: "etl", runId: "etl__scheduled__20260101T000000Z", taskId: "load.v2", try: 3 };
const resolved = (logsDir: string, k: typeof key) =>
  path.join(path.resolve(logsDir, k.dagId, k.runId, k.taskId), `try-${k.try}.log`);

describe("tryLogFile", () => {
  it.each(["/state/logs", "/state/logs/", "/state//logs/../logs", "/", "logs", "./a/../logs", ""])(
    "names the file path.resolve names, for the folder %j",
    (logsDir) => {
      expect(tryLogFile(logsDir, key)).toBe(resolved(logsDir, key));
      // Asked again (the folder is cached after the first call): the same file.
      expect(tryLogFile(logsDir, { ...key, try: 4 })).toBe(resolved(logsDir, { ...key, try: 4 }));
    },
  );

  it("still refuses ids that would leave the folder", () => {
    for (const bad of ["..", ".", "a/b", "a\\b", "", "a\u0000"])
      expect(() => tryLogFile("/state/logs", { ...key, runId: bad })).toThrow(UnsafeTryPathError);
    expect(() => tryLogFile("/state/logs", { ...key, try: 0 })).toThrow(UnsafeTryPathError);
  });
});
