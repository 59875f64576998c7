// A DAG with a seconds cron runs on its own in a real `updraft run` process.
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { startDaemonProcess, POLL } from "./support/daemon-process.ts";
import { daemonFolders } from "../support/dag-folders.ts";

const DAG = `import { dag, pod } from "updraft";
export default dag({
  id: "every_two_seconds",
  schedule: "*/2 * * * * *",
  catchup: false,
  tasks: [pod({ id: "tick", image: "node:20-alpine", command: ["node", "-e", "console.log('tick for {{ ts }}')"] })],
});
`;

interface RunSummary {
  id: string;
  state: string;
  trigger: string;
  logicalDate: string;
}

describe("a scheduled DAG", () => {
  const cleanup = useCleanup();

  it("runs every two seconds by itself (*/2 * * * * *, catchup false)", async () => {
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "daemon-schedule", { "ticker.ts": DAG });
    const daemon = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await daemon.waitForDags(["every_two_seconds"]);

    const listRuns = async (): Promise<RunSummary[]> =>
      (await daemon.request("/api/dags/every_two_seconds/runs")).body as RunSummary[];
    const done = await waitFor(
      "two scheduled runs that succeeded",
      async () => {
        const succeeded = (await listRuns()).filter((run) => run.state === "success");
        return succeeded.length >= 2 ? succeeded : undefined;
      },
      { ...POLL, details: listRuns },
    );

    const runs = await listRuns();
    const seen = JSON.stringify(runs, null, 2);
    expect(
      runs.map((run) => run.trigger),
      seen,
    ).toEqual(runs.map(() => "scheduled"));
    expect(new Set(runs.map((run) => run.id)).size, seen).toBe(runs.length);
    // Logical dates are the cron's own times: whole, even seconds.
    for (const run of runs) {
      const logical = new Date(run.logicalDate);
      expect(logical.getUTCMilliseconds(), run.logicalDate).toBe(0);
      expect(logical.getUTCSeconds() % 2, run.logicalDate).toBe(0);
    }
    const [newest] = done;
    if (!newest) return;
    const log = await daemon.request(`/api/runs/${newest.id}/tasks/tick/logs`);
    expect(log.text, seen).toContain(`tick for ${newest.logicalDate}`);
  });
});
