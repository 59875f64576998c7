// Issue 17 attack on the held journal descriptor across daemon stops and starts in one process (a
// test runner, an embedding): each daemon appends through a descriptor it keeps open; a stop must
// let it go (no descriptor on a file of the state dir stays open: the audit log's was, one per daemon), and the next daemon on the same
// state dir reads every run the earlier ones acknowledged.
import { readdir, readlink } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { dagModule } from "../support/dag-sources.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

/** Descriptors this process holds on files under `dir`. */
async function openFds(dir: string): Promise<string[]> {
  const open: string[] = [];
  for (const fd of await readdir("/proc/self/fd")) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    if (target.startsWith(`${dir}/`)) open.push(target);
  }
  return open;
}

describe("daemons stopped and started in one process on one state dir", () => {
  const cleanup = useCleanup();

  it("hold no descriptor of the state dir once stopped, and each reads what the last acknowledged", async () => {
    const { dagsDir } = await daemonFolders(cleanup, "held-daemon-dags", { "manual.ts": dagModule("held") });
    const stateDir = await cleanup.tempDir("held-daemon-state");
    const runs: string[] = [];
    for (let round = 0; round < 3; round++) {
      const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--state-dir", stateDir]);
      await waitFor("the DAG loaded", async () =>
        (await daemon.dags()).some((d) => d.id === "held") ? true : undefined,
      );
      for (let i = 0; i < 3; i++) {
        const accepted = await daemon.request("/api/dags/held/runs", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ conf: { round, i } }),
        });
        expect(accepted.status, accepted.text).toBe(201);
        runs.push((accepted.body as { runId: string }).runId);
      }
      await daemon.stop();
      expect(await openFds(stateDir), `after stop ${round}`).toEqual([]);
    }
    const last = await startTestDaemon(cleanup, ["--dags", dagsDir, "--state-dir", stateDir]);
    for (const id of runs) expect((await last.request(`/api/runs/${id}`)).status, id).toBe(200);
    await last.stop();
    expect(await openFds(stateDir)).toEqual([]);
  });
});
