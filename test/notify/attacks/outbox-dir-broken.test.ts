// Attack on #16 point 3 ("a dead channel never delays scheduling"): an outbox folder the daemon
// cannot use (a file where the folder should be, a delivered.log that is a folder) stopped the
// whole daemon from starting, with a bare EEXIST/EISDIR. The daemon now schedules; the outbox's
// problem is logged once, naming the folder and the fix.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../../support/dag-folders.ts";
import { startTestDaemon } from "../../support/test-daemon.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";

const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "steady", schedule: null, tasks: [pod({ id: "t", image: "busybox", command: ["true"] })] });
`;

describe("an outbox folder the daemon cannot use", () => {
  const cleanup = useCleanup();

  for (const [what, breakIt] of [
    ["a file where the folder should be", (dir: string) => writeFile(dir, "not a folder")],
    [
      "delivered.log is a folder",
      (dir: string) => mkdir(path.join(dir, "delivered.log"), { recursive: true }),
    ],
  ] as const)
    it(`${what}: the daemon starts and runs tasks; the problem is logged naming the folder`, async () => {
      const { dagsDir, stateDir } = await daemonFolders(cleanup, "outbox-broken", { "steady.ts": DAG });
      await mkdir(stateDir, { recursive: true });
      await breakIt(path.join(stateDir, "outbox"));
      const daemon = await startTestDaemon(cleanup, [
        "--dags",
        dagsDir,
        "--state-dir",
        stateDir,
        "--executor",
        "local",
      ]);
      await waitFor("the DAG loaded", async () => (await daemon.dags()).length === 1 || undefined);
      const run = await daemon.daemon.scheduler.trigger("steady", {});
      await waitFor("the run done", async () => {
        const { body } = await daemon.request(`/api/runs/${encodeURIComponent(run.id)}`);
        return body.state === "success" || undefined;
      });
      const problems = daemon.logs.filter((line) => line.includes("outbox") && line.includes('"level":50'));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(path.join(stateDir, "outbox"));
    });
});
