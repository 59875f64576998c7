// The audit trail the server writes through (issue #13 point 7, attack pass): anonymous refusals
// at a bounded rate, so nobody can rotate the log's real entries out; failures seen by /healthz.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditEntry, AuditQuery } from "../../src/audit/audit-entry.ts";
import {
  ANONYMOUS_REFUSALS_PER_MINUTE,
  AUDIT_PROBE_EVERY_MS,
  AuditTrail,
} from "../../src/audit/audit-trail.ts";

class MemoryLog {
  readonly written: AuditEntry[] = [];
  failWith: Error | undefined;
  async append(entry: AuditEntry): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.written.push(entry);
  }
  async query(_query: AuditQuery): Promise<AuditEntry[]> {
    return [...this.written].reverse();
  }
  async *entries(): AsyncGenerator<AuditEntry> {
    yield* [...this.written].reverse();
  }
}

const entry = (actor: string, status: number, at = 0): AuditEntry => ({
  at: new Date(at).toISOString(),
  actor,
  role: null,
  via: null,
  action: "sync",
  target: "sync",
  status,
  requestId: `r-${actor}-${status}-${at}`,
});

afterEach(() => {
  vi.useRealTimers();
});

describe("AuditTrail", () => {
  it("records anonymous refusals at most N a minute, then says how many went unrecorded; others always", async () => {
    let now = 1_000_000;
    const log = new MemoryLog();
    const trail = new AuditTrail(log, { now: () => now });
    for (let i = 0; i < 500; i += 1) await trail.append(entry("anonymous", 401, i));
    await trail.append(entry("alice@example.com", 201));
    await trail.append(entry("ci", 403));
    expect(log.written.filter((e) => e.actor === "anonymous")).toHaveLength(ANONYMOUS_REFUSALS_PER_MINUTE);
    expect(log.written.map((e) => e.actor).slice(-2)).toEqual(["alice@example.com", "ci"]);
    now += 60_000;
    await trail.append({ ...entry("anonymous", 401), input: { reason: "no token" } });
    expect(log.written.at(-1)?.input).toEqual({
      request: { reason: "no token" },
      unrecordedAnonymousRefusals: 500 - ANONYMOUS_REFUSALS_PER_MINUTE,
    });
    await trail.append(entry("anonymous", 401));
    expect(log.written.at(-1)?.input).toBeUndefined();
  });

  it("reports a failed append until an append succeeds, or a probe finds the log writable again", async () => {
    vi.useFakeTimers();
    const log = new MemoryLog();
    let writable = false;
    const trail = new AuditTrail(log, {
      probe: async () => {
        if (!writable) throw new Error("ENOSPC");
      },
    });
    log.failWith = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    await expect(trail.append(entry("alice@example.com", 201))).rejects.toThrow("ENOSPC");
    expect(trail.writeError?.message).toContain("ENOSPC");
    log.failWith = undefined;
    await trail.append(entry("alice@example.com", 201));
    expect(trail.writeError).toBeUndefined();
    // An idle daemon: nothing appends again, the probe finds the space back.
    log.failWith = new Error("EIO");
    await expect(trail.append(entry("bob@example.com", 201))).rejects.toThrow("EIO");
    await vi.advanceTimersByTimeAsync(AUDIT_PROBE_EVERY_MS * 3);
    expect(trail.writeError?.message).toBe("EIO");
    writable = true;
    await vi.advanceTimersByTimeAsync(AUDIT_PROBE_EVERY_MS);
    expect(trail.writeError).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
