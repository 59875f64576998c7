// Attacks on login control (issue #13) and an unlucky operator's mistakes, against real daemons:
// each test here was seen failing before the fix it names.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { teamFolders, TOKENS } from "./support/team-dags.ts";

const cleanup = useCleanup("file");

describe("an audit log that cannot be written", () => {
  it("a refused write still answers its 401/403 (not a 500), and an answered one says the entry is missing", async () => {
    const folders = await teamFolders(cleanup);
    // The audit folder's place is taken by a file: every append fails (as on a broken disk).
    await mkdir(folders.stateDir, { recursive: true });
    await writeFile(path.join(folders.stateDir, "audit"), "not a folder");
    const daemon = await startTestDaemon(cleanup, [
      ...["--dags", folders.dagsDir, "--state-dir", folders.stateDir, "--tokens-file", folders.tokensFile],
    ]);
    const post = (token: string | undefined) =>
      daemon.request("/api/sync", {
        method: "POST",
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
    const anonymous = await post(undefined);
    expect(anonymous.status, anonymous.text).toBe(401);
    const viewer = await post(TOKENS.viewer);
    expect(viewer.status, viewer.text).toBe(403);
    expect(viewer.body.error.message).toContain("sync needs the operator role");
    const operator = await post(TOKENS.operator);
    expect(operator.status, operator.text).toBe(503);
    expect(operator.body.error.code).toBe("audit_unavailable");
  });
});
