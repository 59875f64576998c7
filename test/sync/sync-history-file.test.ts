// Issue #16 point 5: what changed in the last syncs is still on the page after a restart. The
// newest records live in <state-dir>/sync-history.json, written durably and coalesced; a damaged
// file costs the history, never the start.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.ts";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";
import { SYNC_RECORDS_PERSISTED, SyncHistoryFile } from "../../src/sync/sync-history-file.ts";
import type { SyncRecord } from "../../src/sync/sync-status.ts";
import { SyncHistory } from "../../src/sync/sync-history.ts";
import { useCleanup } from "../support/use-cleanup.ts";

function record(n: number): SyncRecord {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    sha: `sha-${n}`,
    previousSha: null,
    ok: n % 2 === 0,
    error: n % 2 === 0 ? null : `fetch failed (${n})`,
    durationMs: n,
    changes: { added: [`dag_${n}`], updated: [], removed: [] },
    files: { paths: [`dags/dag_${n}.ts`], more: 0 },
    loaded: { dags: n, importErrors: 0, firstError: null },
  };
}

function warnings() {
  const lines: Array<{ msg: string }> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: createLogger({ secrets: [], destination }) };
}

describe("SyncHistoryFile", () => {
  const cleanup = useCleanup("file");

  it("gives back the newest records it saved, and nothing when there is no file", async () => {
    const dir = await cleanup.tempDir("sync-history");
    const { log, lines } = warnings();
    const file = new SyncHistoryFile(dir, durableStateWriter, log);
    expect(file.read()).toEqual([]);
    const records = Array.from({ length: SYNC_RECORDS_PERSISTED + 7 }, (_, n) => record(n));
    await file.save(records);
    const again = new SyncHistoryFile(dir, durableStateWriter, log).read();
    expect(again).toEqual(records.slice(-SYNC_RECORDS_PERSISTED));
    expect(lines).toEqual([]);
  });

  it("leaves out records of the wrong shape and survives a file that is not JSON", async () => {
    const dir = await cleanup.tempDir("sync-history");
    const { log, lines } = warnings();
    const file = new SyncHistoryFile(dir, durableStateWriter, log);
    await writeFile(file.file, JSON.stringify([record(1), { at: 5 }, "x", { ...record(2), changes: null }]));
    expect(file.read().map((r) => r.sha)).toEqual(["sha-1"]);
    await writeFile(file.file, '[{"at":');
    expect(file.read()).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual(["sync history is not JSON; starting with an empty one"]);
    await writeFile(file.file, '{"__proto__":{"polluted":1}}');
    expect(file.read()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("writes once per change at most one at a time, the newest list last; a failed write is logged", async () => {
    const dir = await cleanup.tempDir("sync-history");
    const { log, lines } = warnings();
    const written: string[] = [];
    let release: () => void = () => {};
    let fail = false;
    const writer: StateWriter = {
      async write(file, text) {
        written.push(text);
        if (written.length === 1) await new Promise<void>((resolve) => (release = resolve));
        if (fail) throw new Error("ENOSPC: no space left on device");
        await durableStateWriter.write(file, text);
      },
    };
    const file = new SyncHistoryFile(dir, writer, log);
    const first = file.save([record(1)]);
    void file.save([record(1), record(2)]);
    const last = file.save([record(1), record(2), record(3)]);
    expect(last).toBe(first);
    release();
    await last;
    expect(written.map((text) => (JSON.parse(text) as SyncRecord[]).length)).toEqual([1, 3]);
    expect(JSON.parse(await readFile(file.file, "utf8"))).toHaveLength(3);
    fail = true;
    await file.save([record(4)]);
    expect(lines.map((l) => l.msg)).toEqual(["sync history not saved"]);
    expect(JSON.parse(await readFile(file.file, "utf8"))).toHaveLength(3);
  });

  it("warns when the file cannot be read (a directory in its place)", async () => {
    const dir = await cleanup.tempDir("sync-history");
    const { log, lines } = warnings();
    const file = new SyncHistoryFile(dir, durableStateWriter, log);
    await mkdir(path.join(dir, "sync-history.json"));
    expect(file.read()).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual(["sync history not read"]);
  });

  it("a hostile file (200,000 records, a record nested 20,000 deep, unknown keys) costs neither the start nor a later write", async () => {
    const dir = await cleanup.tempDir("sync-history");
    const { log } = warnings();
    const file = new SyncHistoryFile(dir, durableStateWriter, log);
    const small = JSON.stringify({ ...record(0), files: undefined, loaded: undefined });
    await writeFile(file.file, `[${Array.from({ length: 200_000 }, () => small).join(",")}]`);
    const history = new SyncHistory(log);
    // What the daemon does at start (followSyncs).
    history.restore(file.read());
    expect(history.list()).toHaveLength(SYNC_RECORDS_PERSISTED);
    const deep = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
    const hostile = JSON.stringify({ ...record(1), token: "hunter2" }).replace(/}$/, `,"extra":${deep}}`);
    await writeFile(file.file, `[${hostile}]`);
    const read = file.read();
    expect(read.map((r) => r.sha)).toEqual(["sha-1"]);
    // Served by /api/syncs and written again by the next save: both stringify it.
    expect(() => JSON.stringify(read)).not.toThrow();
    expect(Object.keys(read[0] ?? {})).not.toContain("token");
  });
});
