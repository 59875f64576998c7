// Issue 12 point 2: where a try's files live is run vocabulary (src/runs), not each executor's
// own string: its log, and next to it the outcome record, the pid file and the log cursor.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tryLogFile, trySideFile } from "../../src/runs/try-files.ts";

const SRC = path.resolve(fileURLToPath(new URL("../../src", import.meta.url)));

describe("a try's side files", () => {
  const log = tryLogFile("/state/logs", { dagId: "d", runId: "r", taskId: "t", try: 2 });

  it.each([
    ["outcome", "/state/logs/d/r/t/try-2.log.outcome.json"],
    ["pid", "/state/logs/d/r/t/try-2.log.pid"],
    ["cursor", "/state/logs/d/r/t/try-2.log.cursor"],
  ] as const)("names the %s file next to the log", (kind, file) => {
    expect(trySideFile(log, kind)).toBe(file);
  });

  it("is the only place the side files are named", () => {
    for (const file of [
      "executor/outcome-record.ts",
      "executor/local-executor.ts",
      "kubernetes/log-follower.ts",
    ])
      expect(readFileSync(path.join(SRC, file), "utf8"), file).not.toMatch(
        /logFile\}\.(outcome|pid|cursor)|\.(outcome\.json|pid|cursor)`/,
      );
  });
});
