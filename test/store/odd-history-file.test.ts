// Issue 17 attack: history files are now read synchronously when an old run is asked for. One
// replaced behind the daemon's back (by a FIFO, a folder, truncated, deleted) must give each read a
// clear error or nothing, never a hang: a FIFO read with readFileSync blocks the event loop for ever.
// The reads run in a child process, so a hang fails this test instead of freezing it.
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");
const script = path.join(import.meta.dirname, "support", "odd-history-file.ts");

function attack(mode: string, stateDir: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", script, mode, stateDir],
      { timeout: 30_000, killSignal: "SIGKILL" },
      (_error, stdout) => resolve({ code: child.exitCode, stdout }),
    );
  });
}

const notRegular = expect.stringContaining("d.json is not a regular file");

describe.skipIf(process.platform === "win32")("a history file replaced while the daemon runs", () => {
  for (const mode of ["fifo", "dir"]) {
    it(`(${mode}) every read of an old run fails with an error naming the file, and later writes go on`, async () => {
      const { code, stdout } = await attack(mode, await cleanup.tempDir(`odd-history-${mode}`));
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({
        getRun: { error: expect.stringMatching(/^ENOTREG .*d\.json is not a regular file/) },
        runsOf: { error: notRegular },
        allRuns: { error: notRegular },
        archive: { error: notRegular },
        later: { ok: "written" },
      });
    }, 60_000);
  }

  it("(a FIFO there at start) start-up stops with an error naming the file instead of waiting for ever", async () => {
    const { code, stdout } = await attack("fifo-at-start", await cleanup.tempDir("odd-history-fifo-start"));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ open: { error: notRegular } });
  }, 60_000);

  it("(truncated) every read says the file is corrupt and how to recover", async () => {
    const { code, stdout } = await attack("truncated", await cleanup.tempDir("odd-history-truncated"));
    expect(code).toBe(0);
    const corrupt = expect.stringContaining("d.json is corrupt");
    expect(JSON.parse(stdout)).toEqual({
      getRun: { error: corrupt },
      runsOf: { error: corrupt },
      allRuns: { error: corrupt },
      archive: { error: corrupt },
      later: { ok: "written" },
    });
  }, 60_000);

  it("(deleted) its runs are gone, other DAGs' stay, and the DAG archives again", async () => {
    const { code, stdout } = await attack("deleted", await cleanup.tempDir("odd-history-deleted"));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      getRun: { ok: "none" },
      runsOf: { ok: 0 },
      allRuns: { ok: 1 },
      archive: { ok: "archived" },
      later: { ok: "written" },
    });
  }, 60_000);
});
