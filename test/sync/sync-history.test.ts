// Issue 12 point 3: the sync history (`GET /api/syncs`) lives with the sync concept: bounded, oldest
// first, and each record logged as it is kept.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.ts";
import { SYNC_HISTORY_KEPT, SyncHistory } from "../../src/sync/sync-history.ts";
import type { SyncRecord } from "../../src/sync/sync-status.ts";

function record(n: number, ok = true): SyncRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    sha: `sha-${n}`,
    previousSha: n > 0 ? `sha-${n - 1}` : null,
    ok,
    error: ok ? null : `fetch failed (${n})`,
    durationMs: n,
    changes: { added: [], updated: [], removed: [] },
  };
}

function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ secrets: [], destination }), lines };
}

describe("SyncHistory", () => {
  it("keeps the newest 200 records, oldest first", () => {
    const { log } = capturedLog();
    const history = new SyncHistory(log);
    for (let n = 0; n < SYNC_HISTORY_KEPT + 5; n++) history.add(record(n));
    expect(SYNC_HISTORY_KEPT).toBe(200);
    expect(history.list()).toHaveLength(200);
    expect(history.list()[0]?.sha).toBe("sha-5");
    expect(history.list().at(-1)?.sha).toBe("sha-204");
  });

  it("logs an applied sync at info and a failed one at warn, with its error", async () => {
    const { log, lines } = capturedLog();
    const history = new SyncHistory(log);
    history.add(record(1));
    history.add(record(2, false));
    log.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      lines.map(({ level, msg, sha, previousSha, durationMs, error }) => ({
        level,
        msg,
        sha,
        previousSha,
        durationMs,
        error,
      })),
    ).toEqual([
      { level: 30, msg: "sync applied", sha: "sha-1", previousSha: "sha-0", durationMs: 1, error: undefined },
      {
        level: 40,
        msg: "sync failed",
        sha: "sha-2",
        previousSha: "sha-1",
        durationMs: 2,
        error: "fetch failed (2)",
      },
    ]);
    expect(lines[0]?.changes).toEqual({ added: [], updated: [], removed: [] });
  });
});
