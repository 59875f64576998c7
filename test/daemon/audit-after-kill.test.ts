// Issue #13 point 7: an audit entry is written before its write is answered, so a daemon killed
// with SIGKILL right after answering has every acknowledged write in its audit log, once.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { auditFile } from "../../src/audit/audit-log.ts";
import { parseAuditLine } from "../../src/audit/audit-line.ts";
import type { AuditEntry } from "../../src/audit/audit-entry.ts";
import { TOKENS, teamFolders } from "../server/support/team-dags.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { startDaemonProcess } from "./support/daemon-process.ts";

const cleanup = useCleanup("file");

async function auditEntries(stateDir: string): Promise<AuditEntry[]> {
  const text = await readFile(auditFile(stateDir), "utf8");
  return text
    .split("\n")
    .map((line) => parseAuditLine(line))
    .filter((entry): entry is AuditEntry => entry !== undefined);
}

const WRITES: ReadonlyArray<[path: string, token: string, body?: unknown]> = [
  ["/api/dags/a_dag/runs", TOKENS.teamA, { conf: { round: 1 } }],
  ["/api/dags/a_dag/pause", TOKENS.teamA],
  ["/api/dags/b_dag/runs", TOKENS.teamA, {}],
  ["/api/dags/a_dag/unpause", TOKENS.operator],
  ["/api/sync", TOKENS.viewer],
];

describe("the audit log after kill -9", () => {
  it("holds every write that was answered, exactly once, when the daemon dies right after each answer", async () => {
    const folders = await teamFolders(cleanup);
    const answered: Array<{ requestId: string; status: number; path: string }> = [];
    for (const [path, token, body] of WRITES) {
      const daemon = await startDaemonProcess(cleanup, {
        dagsDir: folders.dagsDir,
        stateDir: folders.stateDir,
        extraArgs: ["--tokens-file", folders.tokensFile],
      });
      await waitFor("both DAGs loaded", async () => {
        const dags = await fetch(`${daemon.url}/api/dags`, {
          headers: { authorization: `Bearer ${TOKENS.viewer}` },
        });
        return dags.ok && ((await dags.json()) as unknown[]).length === 2 ? true : undefined;
      });
      // Several at once: the daemon is killed as soon as the first answer's headers arrive.
      const responses = [0, 1, 2].map(() =>
        fetch(`${daemon.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body ?? {}),
        }).then(
          (response) => ({
            requestId: response.headers.get("x-request-id") ?? "",
            status: response.status,
            path,
          }),
          () => undefined,
        ),
      );
      const first = await Promise.race(responses);
      await daemon.kill9();
      for (const answer of [first, ...(await Promise.all(responses))])
        if (answer && !answered.some((seen) => seen.requestId === answer.requestId)) answered.push(answer);
    }
    expect(answered.length).toBeGreaterThanOrEqual(WRITES.length);
    const entries = await auditEntries(folders.stateDir);
    for (const answer of answered) {
      const matching = entries.filter((entry) => entry.requestId === answer.requestId);
      expect(matching, `${answer.path} (${answer.requestId})`).toHaveLength(1);
      expect(matching[0]?.status).toBe(answer.status);
    }
    // The refused sync (a viewer token) is recorded too, as the attempt it was.
    expect(
      entries.some(
        (entry) => entry.action === "sync" && entry.status === 403 && entry.actor === "dashboards",
      ),
    ).toBe(true);
  }, 120_000);
});
