// Issue 15 point 1 through the CLI: `updraft stop <runId>` against a running daemon.
import { describe, expect, it } from "vitest";
import { runStop } from "../../src/cli/run-commands.ts";
import { killAllWith, pidsWith, uniqueSleepSeconds } from "../support/process-table.ts";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");
const MARKER = uniqueSleepSeconds();

async function cli(runId: string, server: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runStop(
    { runId, server, token: undefined },
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("updraft stop", () => {
  it("stops a running run (prints its final state and reason), then refuses it as finished (exit 1)", async () => {
    cleanup.defer(() => killAllWith(MARKER));
    const { daemon } = await startFolderDaemon(cleanup, "stop-cli-", {
      "hold.ts": `import { dag, pod } from "updraft";
export default dag({ id: "hold", schedule: null, tasks: [pod({ id: "t", image: "busybox:1.36", command: ["sleep", "${MARKER}"] })] });
`,
    });
    await waitFor("the DAG loaded", () => (daemon.daemon.registry.get("hold") ? true : undefined));
    const created = await daemon.request("/api/dags/hold/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(created.status, created.text).toBe(201);
    const runId: string = created.body.runId;
    await waitFor("the task running", async () => ((await pidsWith(MARKER)).length > 0 ? true : undefined));

    expect(await cli(runId, daemon.url)).toEqual({
      code: 0,
      out: `${runId} failed: stopped by local user\n`,
      err: "",
    });
    await waitFor("the process gone", async () => ((await pidsWith(MARKER)).length === 0 ? true : undefined));

    const again = await cli(runId, `${daemon.url}/`);
    expect(again.code).toBe(1);
    expect(again.err).toContain("stop failed (HTTP 409)");
    expect(again.err).toContain("only an unfinished run can be stopped");
    const unknown = await cli("no_such_run", daemon.url);
    expect(unknown).toMatchObject({ code: 1, out: "" });
    expect(unknown.err).toContain('HTTP 404): no run with id "no_such_run"');
  });

  it("says which server it could not reach", async () => {
    const result = await cli("r1", "http://127.0.0.1:1");
    expect(result.code).toBe(1);
    expect(result.err).toContain("cannot reach http://127.0.0.1:1");
  });
});
