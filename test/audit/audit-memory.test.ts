// Issue 13 point 7: a query reads the log backwards in chunks, so its memory does not grow with the
// log. A 200 MB log is searched to its first line with limit 10; RSS is a generous sanity bound
// here (holding the file would take 200 MB as bytes, twice that as text); `npm run bench:audit`
// prints the figures.
import { describe, expect, it } from "vitest";
import { AuditLog, auditFile } from "../../src/audit/audit-log.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { rssSampler } from "../support/file-slices.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { auditEntry } from "./support/audit-entries.ts";
import { writeBigAuditFile } from "./support/big-audit-file.ts";

const cleanup = useCleanup();
const MIB = 1024 * 1024;

describe("querying a 200 MB audit log", () => {
  it("finds the oldest entries and the newest ones with limit 10, RSS growing far less than the file", async () => {
    const stateDir = await cleanup.tempDir("audit-big");
    const first = [
      auditEntry({ requestId: "oldest-1", actor: "first@example.com", at: "2026-01-01T00:00:00.000Z" }),
      auditEntry({ requestId: "oldest-2", actor: "first@example.com", at: "2026-01-01T00:00:01.000Z" }),
    ];
    const filler = auditEntry({
      at: "2026-02-01T00:00:00.000Z",
      target: "dag/filler",
      input: { conf: { note: "n".repeat(400) } },
    });
    await writeBigAuditFile(auditFile(stateDir), 200 * MIB, { first, filler });
    const log = new AuditLog({ stateDir, mask: new SecretMask() });
    cleanup.defer(() => log.close());
    await log.append(auditEntry({ requestId: "newest", at: "2026-06-01T00:00:00.000Z" }));

    const rss = rssSampler(5);
    cleanup.defer(rss.stop);
    const newest = await log.query({ limit: 10 });
    const oldest = await log.query({ limit: 10, actor: "first@example.com" });
    const beforeFiller = await log.query({ limit: 10, before: "2026-01-31T00:00:00.000Z" });
    const noneOfIt = await log.query({ limit: 10, dag: "etl" });
    rss.stop();

    expect(newest.map((entry) => entry.requestId)[0]).toBe("newest");
    expect(newest).toHaveLength(10);
    expect(oldest.map((entry) => entry.requestId)).toEqual(["oldest-2", "oldest-1"]);
    expect(beforeFiller.map((entry) => entry.requestId)).toEqual(["oldest-2", "oldest-1"]);
    expect(noneOfIt.map((entry) => entry.requestId)).toEqual(["newest", "oldest-2", "oldest-1"]);
    expect(rss.growth(), "RSS growth while querying a 200 MB log").toBeLessThan(96 * MIB);
  });
});
