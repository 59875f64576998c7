// Point 10 of issue 11: the files of a run (logs, outcome records, pid files, a stored conf) go
// with the run when it is pruned from history, and orphans are swept at start-up.
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitForReady } from "../support/ready-daemon.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");

const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "kept", schedule: null, tasks: [
  pod({ id: "say", image: "busybox:1.36", command: ["node", "-e", "console.log('hi')"] }),
] });
`;

const entries = (dir: string) => readdir(dir).catch(() => [] as string[]);

describe("--keep-runs prunes a run's files with the run", () => {
  it("keeps one log folder after 4 runs with --keep-runs 1; the pruned runs' files and confs are gone", async () => {
    const dags = await cleanup.tempDir("retention-dags");
    await writeFile(path.join(dags, "kept.ts"), DAG);
    const stateDir = await cleanup.tempDir("retention-state");
    const args = ["--dags", dags, "--keep-runs", "1", "--state-dir", stateDir];
    const first = await startTestDaemon(cleanup, args);
    await waitForReady(first);
    const runIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const triggered = await first.request("/api/dags/kept/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conf: { i, pad: "p".repeat(2000) } }),
      });
      expect(triggered.status).toBe(201);
      const runId: string = triggered.body.runId;
      runIds.push(runId);
      await waitFor(`run ${runId} to finish`, async () => {
        const run = await first.request(`/api/runs/${runId}`);
        return run.body.state === "success" ? true : undefined;
      });
    }
    const logsOfDag = path.join(stateDir, "logs", "kept");
    await waitFor("the pruned runs' log folders to go", async () =>
      (await entries(logsOfDag)).length === 1 ? true : undefined,
    );
    expect(await entries(logsOfDag)).toEqual([runIds[3]]);
    // The kept run's folder has its log and outcome record; the pruned runs' are gone.
    expect((await entries(path.join(logsOfDag, runIds[3] ?? "", "say"))).sort()).toEqual(
      expect.arrayContaining(["try-1.log", "try-1.log.outcome.json"]),
    );
    for (const pruned of runIds.slice(0, 3)) {
      expect((await first.request(`/api/runs/${pruned}`)).status).toBe(404);
      expect((await first.request(`/api/runs/${pruned}/tasks/say/logs`)).status).toBe(404);
    }
    const confs = await entries(path.join(stateDir, "confs"));
    expect(confs).toEqual([`${encodeURIComponent(runIds[3] ?? "")}.json`]);

    // Orphans (a crash between the state write and the deletion) are swept at the next start.
    await first.stop();
    const orphan = path.join(logsOfDag, "kept__manual__orphan", "say");
    await mkdir(orphan, { recursive: true });
    await writeFile(path.join(orphan, "try-1.log"), "left behind\n");
    await writeFile(path.join(orphan, "try-1.log.pid"), "123");
    await writeFile(path.join(stateDir, "confs", "kept__manual__orphan.json"), "{}");
    await startTestDaemon(cleanup, args);
    expect(await entries(logsOfDag)).toEqual([runIds[3]]);
    expect(await entries(path.join(stateDir, "confs"))).toEqual(confs);
  }, 120_000);
});
