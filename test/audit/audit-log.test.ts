// Issue 13 point 7: the audit log is append-only JSON lines in the state dir, masked, at most
// 16 KiB a line, serialised under concurrency, durable before `append` resolves, and readable
// newest first with filters after a crash tore its last line.
import { appendFile, mkdir, readFile, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditLog, auditFile } from "../../src/audit/audit-log.ts";
import { MAX_AUDIT_LINE_BYTES } from "../../src/audit/audit-line.ts";
import { dagHistory } from "../../src/audit/dag-history.ts";
import { manualRunId, scheduledRunId } from "../../src/scheduler/run-planner.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { canMountTmpfs, fillDisk, smallDisk } from "./support/small-disk.ts";
import { auditEntry } from "./support/audit-entries.ts";

const cleanup = useCleanup();

async function openLog(options: { mask?: SecretMask } = {}) {
  const stateDir = await cleanup.tempDir("audit");
  const log = new AuditLog({ stateDir, mask: options.mask ?? new SecretMask() });
  cleanup.defer(() => log.close());
  return { log, stateDir, file: auditFile(stateDir) };
}

const lines = async (file: string) => (await readFile(file, "utf8")).split("\n");
const ids = (entries: readonly { requestId: string }[]) => entries.map((entry) => entry.requestId);

describe("AuditLog append and query", () => {
  const etlScheduled = scheduledRunId("etl", new Date("2026-05-01T00:00:00Z"));
  const etlManual = manualRunId("etl", new Date("2026-05-01T10:00:00Z"), "abcdef");
  const v2Manual = manualRunId("etl_v2", new Date("2026-05-01T10:00:00Z"), "a1b2c3");
  // A DAG whose id looks like a run of `etl`: its runs are its own, not etl's.
  const lookalike = manualRunId("etl", new Date("2026-05-01T00:00:00Z"), "ff");
  const lookalikeRun = scheduledRunId(lookalike, new Date("2026-05-02T00:00:00Z"));
  const entries = [
    auditEntry({ requestId: "e1", actor: "alice@example.com", action: "trigger", target: "dag/etl" }),
    auditEntry({ requestId: "e2", actor: "bob@example.com", action: "pause", target: "dag/etl" }),
    auditEntry({ requestId: "e3", action: "clear", target: `run/${etlScheduled}/task/load` }),
    auditEntry({ requestId: "e4", action: "trigger", target: "dag/etl_v2" }),
    auditEntry({ requestId: "e5", action: "stop", target: `run/${v2Manual}` }),
    auditEntry({ requestId: "e6", actor: "bob@example.com", action: "stop", target: `run/${etlManual}` }),
    auditEntry({ requestId: "e7", actor: "carol@example.com", action: "unpause", target: "dag/etl.old" }),
    auditEntry({ requestId: "e8", action: "mark", target: `run/${lookalikeRun}` }),
    auditEntry({ requestId: "e9", actor: "alice@example.com.evil", action: "sync", target: "sync" }),
  ];

  it("returns every entry newest first, and each filter exactly", async () => {
    const { log } = await openLog();
    for (const entry of entries) await log.append(entry);

    expect(await log.query({ limit: 100 })).toEqual([...entries].reverse());
    expect(ids(await log.query({ limit: 100, actor: "bob@example.com" }))).toEqual(["e6", "e2"]);
    expect(ids(await log.query({ limit: 100, actor: "alice@example.com" }))).toEqual([
      "e8",
      "e5",
      "e4",
      "e3",
      "e1",
    ]);
    expect(await log.query({ limit: 100, actor: "alice" })).toEqual([]);
    expect(ids(await log.query({ limit: 100, action: "stop" }))).toEqual(["e6", "e5"]);
    expect(ids(await log.query({ limit: 100, dag: "etl" }))).toEqual(["e6", "e3", "e2", "e1"]);
    expect(ids(await log.query({ limit: 100, dag: "etl_v2" }))).toEqual(["e5", "e4"]);
    expect(ids(await log.query({ limit: 100, dag: "etl.old" }))).toEqual(["e7"]);
    expect(ids(await log.query({ limit: 100, dag: lookalike }))).toEqual(["e8"]);
    expect(ids(await log.query({ limit: 100, dag: "et" }))).toEqual([]);
    expect(ids(await log.query({ limit: 100, before: entries[3]?.at }))).toEqual(["e3", "e2", "e1"]);
    expect(ids(await log.query({ limit: 2 }))).toEqual(["e9", "e8"]);
    expect(ids(await log.query({ limit: 1, dag: "etl", actor: "bob@example.com", action: "pause" }))).toEqual(
      ["e2"],
    );
  });

  it("reads what an earlier instance wrote (the log outlives the daemon)", async () => {
    const { log, stateDir } = await openLog();
    for (const entry of entries.slice(0, 3)) await log.append(entry);
    await log.close();
    const again = new AuditLog({ stateDir, mask: new SecretMask() });
    cleanup.defer(() => again.close());
    await again.append(entries[3]!);
    expect(ids(await again.query({ limit: 10 }))).toEqual(["e4", "e3", "e2", "e1"]);
  });

  it("answers an empty list before anything was written", async () => {
    const { log } = await openLog();
    expect(await log.query({ limit: 10 })).toEqual([]);
  });

  it("keeps the file 0600 in a 0700 folder of the state dir", async () => {
    const { log, file } = await openLog();
    await log.append(auditEntry());
    expect(file.endsWith(path.join("audit", "audit.log"))).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });
});

describe("what a line holds", () => {
  it("masks a secret in the input (and in any other field) before it is written", async () => {
    const secret = "hunter2-s3cret-value";
    const { log, file } = await openLog({ mask: new SecretMask([secret]) });
    await log.append(
      auditEntry({
        requestId: "masked",
        input: { conf: { password: secret, note: `Basic ${Buffer.from(`u:${secret}`).toString("base64")}` } },
        actor: `token-${secret}`,
      }),
    );
    const text = await readFile(file, "utf8");
    expect(text).not.toContain(secret);
    expect(text).not.toContain(Buffer.from(secret).toString("base64").slice(4, 16));
    const [entry] = await log.query({ limit: 1 });
    expect(entry?.input).toEqual({ conf: { password: "***", note: expect.stringContaining("***") } });
    expect(entry?.actor).toBe("token-***");
  });

  it("cuts an input bigger than 16 KiB with a marker, never the other fields", async () => {
    const { log, file } = await openLog();
    const actor = `robot-${"r".repeat(200)}@example.com`;
    // Multi-byte characters and characters JSON escapes, so bytes and characters differ.
    const input = { conf: { text: 'é"\\😀\n'.repeat(20_000) } };
    await log.append(auditEntry({ requestId: "big", actor, input, target: "dag/etl" }));
    const [line, rest] = await lines(file);
    expect(rest).toBe("");
    expect(Buffer.byteLength(`${line}\n`)).toBeLessThanOrEqual(MAX_AUDIT_LINE_BYTES);
    const [entry] = await log.query({ limit: 1 });
    expect(entry).toMatchObject({ requestId: "big", actor, target: "dag/etl", status: 201 });
    expect(entry?.input).toMatch(/^\{"conf":\{"text":"é.*… \[input truncated: it had \d+ bytes\]$/s);
    // The line was filled, not cut to nothing.
    expect(Buffer.byteLength(`${line}\n`)).toBeGreaterThan(MAX_AUDIT_LINE_BYTES - 16);
  });

  it("refuses an entry whose other fields alone pass 16 KiB, and writes nothing", async () => {
    const { log, file } = await openLog();
    await log.append(auditEntry({ requestId: "first" }));
    await expect(log.append(auditEntry({ requestId: "x".repeat(20_000) }))).rejects.toThrow(/16384 bytes/);
    expect(await lines(file)).toHaveLength(2);
  });
});

describe("concurrency and crashes", () => {
  it("writes 200 concurrent appends as 200 intact lines", async () => {
    const { log, file } = await openLog();
    const entries = Array.from({ length: 200 }, (_, index) =>
      auditEntry({ requestId: `c${index}`, input: { conf: { blob: "x".repeat((index * 97) % 12_000) } } }),
    );
    await Promise.all(entries.map((entry) => log.append(entry)));
    const written = (await lines(file)).filter(Boolean);
    expect(written).toHaveLength(200);
    const parsed = written.map((line) => JSON.parse(line) as { requestId: string });
    expect(new Set(ids(parsed))).toEqual(new Set(ids(entries)));
    expect(await log.query({ limit: 1000 })).toHaveLength(200);
  });

  it("skips a torn last line, and starts the next entry on a line of its own", async () => {
    const { log, stateDir, file } = await openLog();
    await log.append(auditEntry({ requestId: "before-1" }));
    await log.append(auditEntry({ requestId: "before-2" }));
    await log.close();
    // A crash in the middle of a write.
    await appendFile(file, '{"at":"2026-05-01T10:00:00.000Z","actor":"mallory@exa');
    const reopened = new AuditLog({ stateDir, mask: new SecretMask() });
    cleanup.defer(() => reopened.close());
    expect(ids(await reopened.query({ limit: 10 }))).toEqual(["before-2", "before-1"]);
    await reopened.append(auditEntry({ requestId: "after" }));
    expect(ids(await reopened.query({ limit: 10 }))).toEqual(["after", "before-2", "before-1"]);
    const text = await readFile(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n").at(-2)).toMatch(/^\{"at":.*"requestId":"after"\}$/);
  });

  it("never counts a whole entry written without its newline: it was not acknowledged", async () => {
    const { log, stateDir, file } = await openLog();
    await log.append(auditEntry({ requestId: "acknowledged" }));
    await log.close();
    await appendFile(file, JSON.stringify(auditEntry({ requestId: "unacknowledged" })));
    const reopened = new AuditLog({ stateDir, mask: new SecretMask() });
    cleanup.defer(() => reopened.close());
    expect(ids(await reopened.query({ limit: 10 }))).toEqual(["acknowledged"]);
    await reopened.append(auditEntry({ requestId: "next" }));
    expect(ids(await reopened.query({ limit: 10 }))).toEqual(["next", "acknowledged"]);
  });

  it("rejects an append when the disk is full (ENOSPC)", async () => {
    const stateDir = await cleanup.tempDir("audit-full");
    const file = auditFile(stateDir);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // /dev/full refuses every write with ENOSPC, as a full disk does.
    await symlink("/dev/full", file);
    const log = new AuditLog({ stateDir, mask: new SecretMask() });
    cleanup.defer(() => log.close());
    await expect(log.append(auditEntry({ requestId: "refused" }))).rejects.toMatchObject({ code: "ENOSPC" });
    await expect(log.append(auditEntry({ requestId: "again" }))).rejects.toMatchObject({ code: "ENOSPC" });
    expect((await stat("/dev/full")).mode & 0o777).toBe(0o666);
  });

  // A small tmpfs fills up in the middle of a line: part of it reaches the disk, then ENOSPC.
  it.skipIf(!canMountTmpfs())("leaves no part of a refused line when the disk fills mid-write", async () => {
    const stateDir = await smallDisk(cleanup, 256 * 1024);
    const log = new AuditLog({ stateDir, mask: new SecretMask() });
    cleanup.defer(() => log.close());
    const file = auditFile(stateDir);
    await log.append(auditEntry({ requestId: "fits" }));
    const acknowledged = await readFile(file, "utf8");
    const filler = path.join(stateDir, "filler");
    await fillDisk(filler);
    // The file's last page has room for part of this line, not all of it.
    const refused = log.append(auditEntry({ requestId: "refused", input: { blob: "b".repeat(12_000) } }));
    await expect(refused).rejects.toMatchObject({ code: "ENOSPC" });
    expect(await readFile(file, "utf8")).toBe(acknowledged);
    expect(ids(await log.query({ limit: 10 }))).toEqual(["fits"]);
    await rm(filler);
    await log.append(auditEntry({ requestId: "after" }));
    expect(ids(await log.query({ limit: 10 }))).toEqual(["after", "fits"]);
  });
});

describe("dagHistory", () => {
  it("gives the pause and unpause entries of one DAG that took effect, newest first", async () => {
    const { log } = await openLog();
    const run = manualRunId("etl", new Date("2026-05-01T10:00:00Z"), "abcdef");
    await log.append(auditEntry({ requestId: "p1", action: "pause", target: "dag/etl", status: 200 }));
    await log.append(auditEntry({ requestId: "t1", action: "trigger", target: "dag/etl" }));
    await log.append(auditEntry({ requestId: "p2", action: "pause", target: "dag/etl_v2", status: 200 }));
    await log.append(
      auditEntry({
        requestId: "u1",
        actor: "bob@example.com",
        action: "unpause",
        target: "dag/etl",
        status: 200,
      }),
    );
    await log.append(
      auditEntry({ requestId: "refused", role: "viewer", action: "pause", target: "dag/etl", status: 403 }),
    );
    await log.append(auditEntry({ requestId: "s1", action: "stop", target: `run/${run}` }));
    await log.append(auditEntry({ requestId: "p3", action: "pause", target: "dag/etl", status: 200 }));

    expect(ids(await dagHistory(log, "etl", 10))).toEqual(["p3", "u1", "p1"]);
    expect(ids(await dagHistory(log, "etl", 2))).toEqual(["p3", "u1"]);
    expect(await dagHistory(log, "other", 10)).toEqual([]);
  });
});
