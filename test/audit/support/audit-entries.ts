import type { AuditEntry } from "../../../src/audit/audit-entry.ts";

let counter = 0;

/** An audit entry (a successful trigger by alice unless `fields` say otherwise), with a unique request id. */
export function auditEntry(fields: Partial<AuditEntry> = {}): AuditEntry {
  counter += 1;
  return {
    at: new Date(Date.UTC(2026, 4, 1, 10, 0, 0) + counter * 1000).toISOString(),
    actor: "alice@example.com",
    role: "operator",
    via: "session",
    action: "trigger",
    target: "dag/etl",
    status: 201,
    requestId: `req-${counter}`,
    ...fields,
  };
}

/** `count` entries one second apart from `start`, oldest first. */
export function entriesFrom(start: string, count: number, fields: Partial<AuditEntry> = {}): AuditEntry[] {
  const from = Date.parse(start);
  return Array.from({ length: count }, (_, index) =>
    auditEntry({ at: new Date(from + index * 1000).toISOString(), ...fields }),
  );
}
