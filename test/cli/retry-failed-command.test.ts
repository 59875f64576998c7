// `updraft retry-failed <runId>` against a real daemon (local executor, real HTTP on 127.0.0.1).
import { describe, expect, it } from "vitest";
import { runRetryFailed } from "../../src/cli/run-commands.ts";
import { spawnCli } from "../daemon/support/daemon-process.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { API_TOKEN, useApiDaemon } from "../server/support/api-daemon.ts";

const api = useApiDaemon();
const cleanup = useCleanup("file");

async function retry(runId: string, token: string | undefined) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRetryFailed(
    { runId, server: api.test.url, token },
    (text) => out.push(text),
    (text) => err.push(text),
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("updraft retry-failed", () => {
  it("retries a failed run's failed tasks and prints the run id; the task runs again at try 2", async () => {
    const runId = await api.runToEnd("fail_dag");
    const result = await retry(runId, API_TOKEN);
    expect(result).toEqual({ code: 0, out: `${runId}\n`, err: "" });
    const run = await waitFor("the retried run to finish again", async () => {
      const { body } = await api.call("GET", `/api/runs/${runId}`);
      return body.state === "failed" && body.tasks[0].try === 2 ? body : undefined;
    });
    expect(run.tasks[0].tries).toHaveLength(2);
  });

  it("exits 1 with the server's message for a run without failed tasks, an unknown run or a wrong token", async () => {
    const ok = await api.runToEnd("ok_dag");
    expect(await retry(ok, API_TOKEN)).toEqual({
      code: 1,
      out: "",
      err: `updraft: retry-failed failed (HTTP 409): run "${ok}" has no failed or upstream_failed tasks; there is nothing to retry\n`,
    });
    expect(await retry("no_such_run", API_TOKEN)).toEqual({
      code: 1,
      out: "",
      err: 'updraft: retry-failed failed (HTTP 404): no run with id "no_such_run"\n',
    });
    const denied = await retry(ok, "wrong");
    expect(denied.code).toBe(1);
    expect(denied.err).toMatch(/^updraft: retry-failed failed \(HTTP 401\): invalid bearer token/);
  });

  it("says when the server cannot be reached", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRetryFailed(
      { runId: "r", server: "http://127.0.0.1:1", token: undefined },
      (text) => out.push(text),
      (text) => err.push(text),
    );
    expect(code).toBe(1);
    expect(err.join("")).toMatch(/^updraft: cannot reach http:\/\/127\.0\.0\.1:1: /);
  });

  it("runs as `updraft retry-failed <runId>` with UPDRAFT_SERVER and UPDRAFT_TOKEN, and needs exactly one run id", async () => {
    const runId = await api.runToEnd("fail_dag");
    const cli = spawnCli(cleanup, ["retry-failed", runId], {
      UPDRAFT_SERVER: api.test.url,
      UPDRAFT_TOKEN: API_TOKEN,
    });
    expect((await cli.exited).code, cli.output()).toBe(0);
    expect(cli.output()).toBe(`${runId}\n`);
    const missing = spawnCli(cleanup, ["retry-failed"]);
    expect((await missing.exited).code).toBe(2);
    expect(missing.output()).toContain("updraft: retry-failed takes exactly one run id");
    await waitFor("the retried run to finish again", async () => {
      const { body } = await api.call("GET", `/api/runs/${runId}`);
      return body.state === "failed" && body.tasks[0].try === 2 ? true : undefined;
    });
  });
});
