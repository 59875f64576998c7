// Issue #15 point 3: POST /api/runs/:runId/retry-failed runs a finished run's failed and
// upstream_failed tasks again, in a real `updraft run` process with the local executor.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { auditFile } from "../../src/audit/audit-log.ts";
import { parseAuditLine } from "../../src/audit/audit-line.ts";
import type { AuditEntry } from "../../src/audit/audit-entry.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { startDaemonProcess, task } from "./support/daemon-process.ts";

/** first publishes a result; second fails while the flag file is missing (and writes it); third follows. */
function flakyDag(flag: string): string {
  const second = `const fs = require("node:fs"); const flag = ${JSON.stringify(flag)};
if (!fs.existsSync(flag)) { fs.writeFileSync(flag, "failed once"); console.log("failing once"); process.exit(1); }
console.log("second saw " + process.argv[1]);`;
  return `import { dag, pod } from "updraft";
export default dag({
  id: "flaky",
  schedule: null,
  tasks: [
    pod({ id: "first", image: "node:20-alpine", command: ["node", "-e", ${JSON.stringify("console.log('::updraft-result::{\"n\":42}')")}] }),
    pod({ id: "second", image: "node:20-alpine", dependsOn: ["first"], command: ["node", "-e", ${JSON.stringify(second)}], args: ["n={{ tasks.first.result.n }}"] }),
    pod({ id: "third", image: "node:20-alpine", dependsOn: ["second"], command: ["node", "-e", "console.log('third ran')"] }),
  ],
});
`;
}

async function auditEntries(stateDir: string): Promise<AuditEntry[]> {
  const text = await readFile(auditFile(stateDir), "utf8");
  return text
    .split("\n")
    .map((line) => parseAuditLine(line))
    .filter((entry): entry is AuditEntry => entry !== undefined);
}

describe("retry-failed", () => {
  const cleanup = useCleanup("file");

  it("reruns the failed and upstream_failed tasks with their next try; the first task keeps try 1 and its result", async () => {
    const dir = await cleanup.tempDir("daemon-retry-failed");
    const flag = path.join(dir, "second-failed-once");
    const folders = await daemonFolders(cleanup, "retry-failed", { "flaky.ts": flakyDag(flag) });
    const daemon = await startDaemonProcess(cleanup, folders);
    await daemon.waitForDags(["flaky"]);

    const triggered = await daemon.post("/api/dags/flaky/runs");
    expect(triggered.status, triggered.text).toBe(201);
    const runId = triggered.body.runId as string;
    const failed = await daemon.waitForRun(runId, "failed", (run) => run.state === "failed");
    expect(failed.tasks.map((t) => [t.id, t.state, t.try])).toEqual([
      ["first", "success", 1],
      ["second", "failed", 1],
      ["third", "upstream_failed", 0],
    ]);

    const retried = await daemon.post(`/api/runs/${runId}/retry-failed`);
    expect(retried.status, retried.text).toBe(200);
    const run = await daemon.waitForRun(
      runId,
      "finished again",
      (r) => r.state === "success" || r.state === "failed",
    );
    expect(run.state, JSON.stringify(run.tasks)).toBe("success");
    expect(task(run, "first")).toMatchObject({ state: "success", try: 1, result: { n: 42 } });
    expect(task(run, "second")).toMatchObject({ state: "success", try: 2 });
    expect(task(run, "second").tries.map((t) => [t.try, t.state])).toEqual([
      [1, "failed"],
      [2, "success"],
    ]);
    // third never ran before: its first real try.
    expect(task(run, "third")).toMatchObject({ state: "success", try: 1 });
    const log = await daemon.request(`/api/runs/${runId}/tasks/second/logs?try=2`);
    expect(log.text).toContain("second saw n=42");

    const again = await daemon.post(`/api/runs/${runId}/retry-failed`);
    expect(again.status, again.text).toBe(409);
    expect(again.body.error.message).toContain("has no failed or upstream_failed tasks");

    const entries = (await auditEntries(folders.stateDir)).filter((e) => e.action === "retry-failed");
    expect(entries.map((e) => [e.target, e.status])).toEqual([
      [`run/${runId}`, 200],
      [`run/${runId}`, 409],
    ]);
  });
});
