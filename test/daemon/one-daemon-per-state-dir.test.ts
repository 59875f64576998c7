// Issue 11 point 9: one daemon per state dir. A second `updraft run` on the same --state-dir exits 1
// naming the holder; a lock left by a kill -9 is taken over; a clean stop releases it.
import { stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { spawnCli, startDaemonProcess, runArgs } from "./support/daemon-process.ts";
import { daemonFolders } from "../support/dag-folders.ts";

const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "solo", schedule: null, tasks: [pod({ id: "hello", image: "node:20-alpine", command: ["true"] })] });
`;

describe("one daemon per state dir", () => {
  const cleanup = useCleanup();

  const folders = () => daemonFolders(cleanup, "state-dir-lock", { "solo.ts": DAG });

  const second = (dagsDir: string, stateDir: string) =>
    spawnCli(cleanup, runArgs(["--dags", dagsDir], stateDir));

  it("a second daemon exits 1 naming the holder (pid, host, since); the first keeps its runs", async () => {
    const { dagsDir, stateDir } = await folders();
    const first = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await first.waitForDags(["solo"]);
    const triggered = await first.post("/api/dags/solo/runs", { conf: {} });
    expect(triggered.status, triggered.text).toBe(201);

    const late = second(dagsDir, stateDir);
    const exit = await late.exited;
    expect(exit, late.output()).toEqual({ code: 1, signal: null });
    const message = late.output();
    expect(message).toContain(`pid ${first.pid}`);
    expect(message).toContain(os.hostname());
    expect(message).toMatch(/since \d{4}-\d\d-\d\dT/);
    expect(message).toContain(path.join(stateDir, "updraft.lock"));
    expect(message).not.toContain('"updraft listening"');

    // The first daemon's run is still there (the second never wrote).
    await first.waitForRun(triggered.body.runId, "still known", () => true);
  }, 90_000);

  it("a lock left by kill -9 is taken over; a clean stop releases it", async () => {
    const { dagsDir, stateDir } = await folders();
    const first = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await first.waitForDags(["solo"]);
    await first.kill9();

    const next = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await next.waitForDags(["solo"]);
    expect((await next.post("/api/dags/solo/runs", { conf: {} })).status).toBe(201);
    await expect(stat(path.join(stateDir, "updraft.lock"))).resolves.toBeDefined();

    next.signal("SIGTERM");
    expect(await next.exited, next.output()).toEqual({ code: 0, signal: null });
    await expect(stat(path.join(stateDir, "updraft.lock"))).rejects.toMatchObject({ code: "ENOENT" });

    const after = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await after.waitForDags(["solo"]);
  }, 90_000);
});
