// Issue #15 point 6 with the local executor: a run past its DAG's runTimeout is stopped, its
// process is signalled away, and the maxActiveRuns slot it held goes to the next run.
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { killAllWith, pidsWith, uniqueSleepSeconds } from "../support/process-table.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup();

describe("runTimeout (local executor)", () => {
  it("stops a run still going 2s after it started, kills its process, and starts the queued run", async () => {
    const marker = uniqueSleepSeconds();
    cleanup.defer(() => killAllWith(marker));
    const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "hung", schedule: null, runTimeout: "2s", maxActiveRuns: 1, tasks: [
  pod({ id: "wait", image: "busybox", command: ["sleep", "${marker}"] }),
] });
`;
    const { dagsDir } = await daemonFolders(cleanup, "run-deadline", { "hung.ts": DAG });
    const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--executor", "local"]);
    await waitFor("the DAG loaded", async () => ((await daemon.dags()).length === 1 ? true : undefined));
    const trigger = async () => {
      const created = await daemon.request("/api/dags/hung/runs", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      expect(created.status, created.text).toBe(201);
      return created.body.runId as string;
    };
    const first = await trigger();
    const second = await trigger();
    const run = async (id: string) => (await daemon.request(`/api/runs/${id}`)).body;
    const firstPid = await waitFor("the first run's process", async () => (await pidsWith(marker))[0]);
    expect((await run(second)).state).toBe("queued");

    const ended = await waitFor("the first run to end", async () => {
      const body = await run(first);
      return body.state === "failed" ? body : undefined;
    });
    expect(ended.reason).toBe("run timed out after 2s");
    expect(
      ended.tasks.map((t: { id: string; state: string; reason: string }) => [t.id, t.state, t.reason]),
    ).toEqual([["wait", "failed", "run timed out after 2s"]]);
    await waitFor("the first run's process to be gone", async () =>
      (await pidsWith(marker)).includes(firstPid) ? undefined : true,
    );
    // The slot it held is free: the second run starts (and, hung as well, times out the same way).
    const next = await waitFor("the second run to end", async () => {
      const body = await run(second);
      return body.state === "failed" ? body : undefined;
    });
    expect(next.startedAt >= ended.endedAt).toBe(true);
    expect(next.reason).toBe("run timed out after 2s");
    await waitFor("no process left", async () => ((await pidsWith(marker)).length === 0 ? true : undefined));
  });
});
