// Issue #15 point 4 through the CLI: `updraft backfill <dag> --from --to` against a running daemon.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type BackfillOptions, runBackfill } from "../../src/cli/backfill-command.ts";
import { dailyDag } from "../backfill/support/backfill-dags.ts";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { REPO_ROOT } from "../daemon/support/daemon-process.ts";

/** `updraft backfill <args>` as a user types it (no UPDRAFT_ variables from the test's environment). */
async function binary(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("UPDRAFT_")),
  );
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "updraft.mjs"), "backfill", ...args],
      { cwd: REPO_ROOT, env, timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const cleanup = useCleanup("file");

async function daemonWithDays(sleepMs = 20) {
  const dir = await cleanup.tempDir("backfill-cli");
  const failFile = path.join(dir, "fail.txt");
  const { daemon } = await startFolderDaemon(cleanup, "backfill-cli-", {
    "days.ts": dailyDag("days", path.join(dir, "events.txt"), failFile, sleepMs),
  });
  await waitFor("the DAG loaded", () => (daemon.daemon.registry.get("days") ? true : undefined));
  return { daemon, failFile };
}

async function cli(
  server: string,
  fields: Partial<BackfillOptions>,
  follow: { isTTY?: boolean; signal?: AbortSignal } = {},
) {
  const out: string[] = [];
  const err: string[] = [];
  const options: BackfillOptions = {
    dagId: "days",
    from: "2026-11-01",
    to: "2026-11-03",
    rerun: "missing",
    reverse: false,
    maxActiveRuns: undefined,
    conf: undefined,
    detach: false,
    server,
    token: undefined,
    ...fields,
  };
  const code = await runBackfill(
    options,
    { isTTY: follow.isTTY ?? false, signal: follow.signal ?? new AbortController().signal, pollMs: 50 },
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("updraft backfill", () => {
  it("follows a backfill to success with one line per change off a terminal, and exits 0", async () => {
    const { daemon } = await daemonWithDays();
    const result = await cli(daemon.url, { maxActiveRuns: 1, conf: '{"k":1}' });
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const lines = result.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^backfill days__backfill__\S+: 3 logical dates of days$/);
    expect(lines.at(-1)).toBe("success 3/3 [####################] succeeded 3, failed 0, kept 0, active 0");
    expect(result.out).not.toContain("\r");
    // One line per change: never the same line twice in a row.
    expect(lines.every((line, i) => line !== lines[i - 1])).toBe(true);
  });

  it("redraws one line in place on a terminal, and exits 1 when the backfill failed", async () => {
    const { daemon, failFile } = await daemonWithDays();
    await writeFile(failFile, "2026-11-02");
    const result = await cli(daemon.url, {}, { isTTY: true });
    expect(result.code).toBe(1);
    expect(result.out).toContain("\r\x1b[2Kfailed 3/3");
    expect(result.out.endsWith("failed 1, kept 0, active 0\n")).toBe(true);
    expect(result.out.split("\n")).toHaveLength(3);
  });

  it("--detach prints the id and returns at once; Ctrl-C stops following only", async () => {
    const { daemon } = await daemonWithDays(2000);
    const detached = await cli(daemon.url, { detach: true });
    expect(detached).toMatchObject({ code: 0, err: "" });
    expect(detached.out).toMatch(/^days__backfill__\S+\n$/);

    const interrupt = new AbortController();
    const following = cli(
      daemon.url,
      { from: "2026-10-01", to: "2026-10-05", maxActiveRuns: 1 },
      { signal: interrupt.signal },
    );
    await waitFor("the second backfill running", async () => {
      const list = await daemon.request("/api/dags/days/backfills");
      return list.body.length === 2 ? true : undefined;
    });
    interrupt.abort();
    const stopped = await following;
    expect(stopped.code).toBe(130);
    expect(stopped.err).toMatch(/stopped following; backfill days__backfill__\S+ goes on on the daemon/);
    const list = await daemon.request("/api/dags/days/backfills");
    expect(list.body.map((b: { state: string }) => b.state)).toEqual(["running", "running"]);
  });

  it("prints the daemon's refusal and exits 1", async () => {
    const { daemon } = await daemonWithDays();
    const result = await cli(daemon.url, { from: "2026-11-05", to: "2026-11-01" });
    expect(result).toMatchObject({ code: 1, out: "" });
    expect(result.err).toContain("updraft: backfill failed (HTTP 400): to: must not be before from");
  });

  it("reads its flags from the command line: a bad use exits 2 naming the fix, a good one reaches the daemon", async () => {
    const { daemon } = await daemonWithDays();
    const missing = await binary(["days", "--from", "2026-11-01"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("backfill needs --from and --to");
    const badRerun = await binary(["days", "--from", "2026-11-01", "--to", "2026-11-02", "--rerun", "some"]);
    expect(badRerun.code).toBe(2);
    expect(badRerun.stderr).toContain('--rerun: "some" is not one of missing, failed, all');
    const started = await binary([
      "days",
      "--from",
      "2026-11-01",
      "--to",
      "2026-11-04",
      "--rerun",
      "failed",
      "--reverse",
      "--max-active-runs",
      "2",
      "--conf",
      '{"k":1}',
      "--detach",
      "--server",
      daemon.url,
    ]);
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    const backfill = await daemon.request(`/api/backfills/${id}`);
    expect(backfill.body).toMatchObject({
      planned: 4,
      rerun: "failed",
      reverse: true,
      maxActiveRuns: 2,
      conf: { k: 1 },
    });
  });
});
