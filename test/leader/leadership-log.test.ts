import { describe, expect, it } from "vitest";
import { type LeadershipLogState, logLeadershipEvent } from "../../src/leader/leadership-log.ts";
import type { LeaderElector } from "../../src/leader/leader-elector.ts";
import { LeaseConflictError } from "../../src/leader/lease-api.ts";
import type { Logger } from "../../src/log/logger.ts";

/** A logger that records (level, message) pairs. */
function recordingLog() {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => (_fields: object, message: string) => void lines.push([level, message]);
  const log = { info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
  return { log: log as unknown as Logger, lines };
}

const standby = { isLeader: false, identity: "updraft-b", lease: "updraft/updraft-leader" } as LeaderElector;
const forbidden = Object.assign(new Error('leases "updraft-leader" is forbidden'), { code: 403 });

describe("leader election log lines of a standby", () => {
  it("warn at once when the lease cannot be used (403, unreachable API), then at most once a minute", () => {
    const { log, lines } = recordingLog();
    const state: LeadershipLogState = { lastStandbyWarnMs: Number.NEGATIVE_INFINITY };
    const failed = { type: "attempt-failed", error: forbidden } as const;
    logLeadershipEvent(log, standby, failed, state, 0);
    logLeadershipEvent(log, standby, failed, state, 2_000);
    logLeadershipEvent(log, standby, failed, state, 59_999);
    logLeadershipEvent(log, standby, failed, state, 60_000);
    expect(lines.map(([level]) => level)).toEqual(["warn", "debug", "debug", "warn"]);
    expect(lines[0]?.[1]).toContain("stays standby and schedules nothing");
  });

  it("keep a lost race (409) at debug", () => {
    const { log, lines } = recordingLog();
    const conflict = new LeaseConflictError(
      "lease updraft/updraft-leader was written by another candidate first",
    );
    logLeadershipEvent(log, standby, { type: "attempt-failed", error: conflict }, undefined, 0);
    expect(lines).toEqual([["debug", "leader election: acquiring the lease failed"]]);
  });
});
