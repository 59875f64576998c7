// Issue 15 point 1 under an unlucky operator: the daemon is killed (kill -9) right after it
// answered a stop. The answer is durable (after a restart the run is still failed "stopped by …",
// and nothing of it runs again), and no task process of the stopped run is left running, even one
// that ignores SIGTERM (the SIGKILL after the grace period was the killed daemon's to send).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { killAllWith, pidsWith, uniqueSleepSeconds } from "../support/process-table.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { logDir, POLL, runArgs, spawnCli, startDaemonProcess } from "./support/daemon-process.ts";

describe("kill -9 right after a stop was answered", () => {
  const cleanup = useCleanup();

  /** A daemon that answered the stop of a run whose `hold` task ignores SIGTERM (still in its grace period). */
  async function stoppedStubbornRun() {
    const marker = uniqueSleepSeconds();
    cleanup.defer(() => killAllWith(marker));
    // `hold` ignores SIGTERM; `after` would run once it ends.
    const script = `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); setInterval(() => {}, 1000); console.log("up")`;
    const dagSource = `import { dag, pod } from "updraft";
export default dag({ id: "stubborn", schedule: null, retries: 3, tasks: [
  pod({ id: "hold", image: "node:20-alpine", command: ${JSON.stringify(["node", "-e", script, marker])} }),
  pod({ id: "after", image: "node:20-alpine", dependsOn: ["hold"], command: ["node", "-e", "0"] }),
] });
`;
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "stop-kill9", { "stubborn.ts": dagSource });
    const first = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await first.waitForDags(["stubborn"]);
    const created = await first.post("/api/dags/stubborn/runs", {});
    expect(created.status, created.text).toBe(201);
    const runId: string = created.body.runId;
    // Its SIGTERM handler is in place once it printed "up".
    const log = path.join(logDir(stateDir, "stubborn", runId, "hold"), "try-1.log");
    await waitFor(
      "hold to be up",
      async () => ((await readFile(log, "utf8").catch(() => "")).includes("\nup\n") ? true : undefined),
      POLL,
    );
    await first.waitForRun(runId, "hold running", (run) => run.tasks[0]?.state === "running");

    const stopped = await first.post(`/api/runs/${runId}/stop`);
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.body).toMatchObject({ state: "failed", reason: "stopped by local user" });
    return { marker, dagsDir, stateDir, first, runId };
  }

  it("keeps the run stopped, runs none of it again, and leaves no task process behind", async () => {
    const { marker, dagsDir, stateDir, first, runId } = await stoppedStubbornRun();
    await first.kill9();

    const second = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await second.waitForDags(["stubborn"]);
    const run = await second.run(runId);
    expect(run).toMatchObject({ state: "failed", reason: "stopped by local user" });
    expect(run.tasks.map((t) => [t.id, t.state, t.try])).toEqual([
      ["hold", "failed", 1],
      ["after", "upstream_failed", 0],
    ]);
    await waitFor(
      "the stopped run's task process to be gone",
      async () => ((await pidsWith(marker)).length === 0 ? true : undefined),
      { ...POLL, timeoutMs: 20_000, details: () => pidsWith(marker) },
    );
  }, 120_000);

  it("a second daemon refused by the state-dir lock kills none of the first one's tries", async () => {
    const { marker, dagsDir, stateDir } = await stoppedStubbornRun();
    const pids = await pidsWith(marker);
    expect(pids).toHaveLength(1);
    const list = path.join(stateDir, "local-cancels.json");
    const listed = await readFile(list, "utf8");
    expect(listed).toContain(`"pid":${pids[0]}`);

    const late = spawnCli(cleanup, runArgs(["--dags", dagsDir], stateDir));
    expect(await late.exited, late.output()).toEqual({ code: 1, signal: null });
    // Still in the grace period the first daemon gave it, and still listed for that daemon.
    expect(await pidsWith(marker)).toEqual(pids);
    expect(await readFile(list, "utf8")).toBe(listed);
  }, 120_000);
});
