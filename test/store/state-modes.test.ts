// Issue 11 point 12: state files are 0600 and the state dir's folders 0700, so another local user
// reads neither confs nor task results (a state dir made 0755 by an older version is tightened).
import { chmod, mkdir, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { dagModule } from "../support/dag-sources.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const mode = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

describe("state dir permissions", () => {
  const cleanup = useCleanup();

  it("state.json and runs/*.json are 0600; the state dir, runs, git and snapshots folders 0700", async () => {
    const root = await cleanup.tempDir("state-modes");
    const remote = await createGitRemote(root, { "job.ts": dagModule("job", { echo: "secret-ish conf" }) });
    const stateDir = path.join(root, "state");
    await mkdir(stateDir, { mode: 0o755 });
    await chmod(stateDir, 0o755);
    const daemon = await startTestDaemon(cleanup, ["--repo", remote.bare, "--state-dir", stateDir]);
    await waitFor("the DAG loaded", async () =>
      (await daemon.dags()).some((d) => d.id === "job") ? true : undefined,
    );
    const triggered = await daemon.request("/api/dags/job/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf: { password: "hunter2" } }),
    });
    expect(triggered.status, triggered.text).toBe(201);
    await waitFor("the run archived to runs/job.json", async () =>
      (await readdir(path.join(stateDir, "runs")).catch(() => [] as string[])).includes("job.json")
        ? true
        : undefined,
    );

    const modes = {
      stateDir: await mode(stateDir),
      stateJson: await mode(path.join(stateDir, "state.json")),
      runs: await mode(path.join(stateDir, "runs")),
      history: await mode(path.join(stateDir, "runs", "job.json")),
      git: await mode(path.join(stateDir, "git")),
      snapshots: await mode(path.join(stateDir, "snapshots")),
    };
    expect(modes).toEqual({
      stateDir: "700",
      stateJson: "600",
      runs: "700",
      history: "600",
      git: "700",
      snapshots: "700",
    });
  });
});
