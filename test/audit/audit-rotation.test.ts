// Issue 13 point 7: the audit log rotates by size and keeps a bounded number of rotated files for a
// bounded time; queries read across the files, newest first.
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/audit-entry.ts";
import { AuditLog, type AuditLogOptions, auditFile } from "../../src/audit/audit-log.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { auditEntry } from "./support/audit-entries.ts";

const cleanup = useCleanup();
const DAY = 24 * 60 * 60 * 1000;
const ROTATED = /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(-\d+)?\.log$/;

/** A log with a clock the test moves. */
async function openLog(options: Partial<AuditLogOptions>) {
  const stateDir = await cleanup.tempDir("audit-rotation");
  const clock = { now: Date.parse("2026-05-01T10:00:00Z") };
  const log = new AuditLog({ stateDir, mask: new SecretMask(), now: () => new Date(clock.now), ...options });
  cleanup.defer(() => log.close());
  const dir = path.dirname(auditFile(stateDir));
  const files = async () => (await readdir(dir)).sort();
  return { log, clock, dir, files };
}

async function appendAll(log: AuditLog, entries: readonly AuditEntry[]): Promise<void> {
  for (const entry of entries) await log.append(entry);
}

const numbered = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => auditEntry({ requestId: `n${from + index}` }));
const ids = (entries: readonly { requestId: string }[]) => entries.map((entry) => entry.requestId);

describe("rotation by size", () => {
  it("starts a new file before the current one would pass maxBytes, and reads across files", async () => {
    const { log, dir, files } = await openLog({ maxBytes: 2000, keepFiles: 100 });
    const entries = numbered(0, 40);
    await appendAll(log, entries);

    const names = await files();
    expect(names.length).toBeGreaterThan(3);
    expect(names).toContain("audit.log");
    for (const name of names) {
      expect(name === "audit.log" || ROTATED.test(name), name).toBe(true);
      const file = path.join(dir, name);
      expect((await stat(file)).size, name).toBeLessThanOrEqual(2000);
      expect((await stat(file)).mode & 0o777, name).toBe(0o600);
      expect((await readFile(file, "utf8")).endsWith("\n"), name).toBe(true);
    }
    expect(ids(await log.query({ limit: 1000 }))).toEqual(ids(entries).reverse());
    expect(ids(await log.query({ limit: 25 }))).toEqual(ids(entries).reverse().slice(0, 25));
  });

  it("keeps rotated files in write order when the clock goes back", async () => {
    const { log, clock, files } = await openLog({ maxBytes: 600, keepFiles: 100 });
    await appendAll(log, numbered(100, 6));
    clock.now -= DAY;
    await appendAll(log, numbered(106, 6));
    const rotated = (await files()).filter((name) => name !== "audit.log");
    expect(rotated.some((name) => /Z-\d+\.log$/.test(name))).toBe(true);
    const newestFirst = Array.from({ length: 12 }, (_, index) => `n${111 - index}`);
    expect(ids(await log.query({ limit: 1000 }))).toEqual(newestFirst);
  });
});

describe("retention", () => {
  it("keeps at most keepFiles rotated files, dropping the oldest", async () => {
    const { log, files } = await openLog({ maxBytes: 2000, keepFiles: 2 });
    await appendAll(log, numbered(200, 60));
    const names = await files();
    expect(names.filter((name) => ROTATED.test(name))).toHaveLength(2);
    const kept = await log.query({ limit: 1000 });
    // The newest entries survive, without a gap.
    expect(ids(kept)).toEqual(Array.from({ length: kept.length }, (_, index) => `n${259 - index}`));
    expect(kept.length).toBeLessThan(60);
  });

  it("keeps no rotated file with keepFiles 0", async () => {
    const { log, files } = await openLog({ maxBytes: 1000, keepFiles: 0 });
    await appendAll(log, numbered(300, 20));
    expect(await files()).toEqual(["audit.log"]);
  });

  it("deletes rotated files rotated out longer ago than the retention", async () => {
    const { log, clock, files } = await openLog({ maxBytes: 1000, keepFiles: 100, retentionMs: 7 * DAY });
    await appendAll(log, numbered(400, 10));
    const early = (await files()).filter((name) => ROTATED.test(name));
    expect(early.length).toBeGreaterThan(0);

    clock.now += 6 * DAY;
    await appendAll(log, numbered(410, 10));
    const before = await files();
    for (const name of early) expect(before).toContain(name);

    clock.now += 2 * DAY;
    await appendAll(log, numbered(420, 10));
    const after = await files();
    for (const name of early) expect(after).not.toContain(name);
    expect(after.filter((name) => ROTATED.test(name)).length).toBeGreaterThan(0);
    expect(ids(await log.query({ limit: 1 }))).toEqual(["n429"]);
  });

  it("applies the retention when a daemon starts, before any rotation", async () => {
    const first = await openLog({ maxBytes: 1000, keepFiles: 100, retentionMs: 7 * DAY });
    await appendAll(first.log, numbered(500, 10));
    await first.log.close();
    expect((await first.files()).filter((name) => ROTATED.test(name)).length).toBeGreaterThan(0);
    const stateDir = path.dirname(first.dir);
    const later = new AuditLog({
      stateDir,
      mask: new SecretMask(),
      retentionMs: 7 * DAY,
      now: () => new Date(first.clock.now + 30 * DAY),
    });
    cleanup.defer(() => later.close());
    await later.append(auditEntry({ requestId: "later" }));
    expect(await first.files()).toEqual(["audit.log"]);
  });
});
