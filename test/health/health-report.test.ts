// Issue 12 point 3: the health report lives with the health concept, as a function of its parts.
import { describe, expect, it } from "vitest";
import { type HealthReport, type HealthSources, healthReport } from "../../src/health/health-report.ts";

const STALLED_LOOP = "the daemon's event loop has not made progress for 12s (deadline 10s)";
const STALLED_SCHEDULER = "the scheduler loop has not made progress for 45s (deadline 30s)";

function sources(overrides: Partial<HealthSources> = {}): HealthSources {
  return {
    loop: { stalledFor: () => undefined },
    scheduler: { stalledFor: () => undefined },
    duties: { scheduling: true },
    store: { writeError: undefined },
    rejections: { problem: () => undefined },
    leader: { view: () => ({ isLeader: true, holder: null }) },
    ...overrides,
  };
}

const ALL_OK = { loop: { ok: true }, scheduler: { ok: true }, store: { ok: true }, unhandled: { ok: true } };

interface Case {
  name: string;
  given: Partial<HealthSources>;
  reason: string | undefined;
  checks: HealthReport["checks"];
}

describe("healthReport", () => {
  it.each<Case>([
    { name: "all parts well", given: {}, reason: undefined, checks: ALL_OK },
    {
      name: "a stalled event loop",
      given: { loop: { stalledFor: () => STALLED_LOOP } },
      reason: STALLED_LOOP,
      checks: { ...ALL_OK, loop: { ok: false, detail: STALLED_LOOP } },
    },
    {
      name: "a stalled scheduler loop that runs",
      given: { scheduler: { stalledFor: () => STALLED_SCHEDULER } },
      reason: STALLED_SCHEDULER,
      checks: { ...ALL_OK, scheduler: { ok: false, detail: STALLED_SCHEDULER } },
    },
    {
      name: "a scheduler loop not started yet (its heartbeat is not judged)",
      given: { scheduler: { stalledFor: () => STALLED_SCHEDULER }, duties: { scheduling: false } },
      reason: undefined,
      checks: ALL_OK,
    },
    {
      name: "a store that cannot write",
      given: { store: { writeError: new Error("ENOSPC: no space left on device") } },
      reason: "the state store cannot write: ENOSPC: no space left on device",
      checks: {
        ...ALL_OK,
        store: { ok: false, detail: "the state store cannot write: ENOSPC: no space left on device" },
      },
    },
    {
      name: "an unhandled rejection",
      given: { rejections: { problem: () => "1 unhandled promise rejection(s) since start, the first: x" } },
      reason: "1 unhandled promise rejection(s) since start, the first: x",
      checks: {
        ...ALL_OK,
        unhandled: { ok: false, detail: "1 unhandled promise rejection(s) since start, the first: x" },
      },
    },
    {
      name: "several problems: the first in check order is the reason",
      given: {
        rejections: { problem: () => "1 unhandled promise rejection(s) since start, the first: x" },
        loop: { stalledFor: () => STALLED_LOOP },
      },
      reason: STALLED_LOOP,
      checks: {
        ...ALL_OK,
        loop: { ok: false, detail: STALLED_LOOP },
        unhandled: { ok: false, detail: "1 unhandled promise rejection(s) since start, the first: x" },
      },
    },
    {
      name: "a standby (another replica leads)",
      given: {
        duties: { scheduling: false },
        leader: { view: () => ({ isLeader: false, holder: "replica-a" }) },
      },
      reason: undefined,
      checks: { ...ALL_OK, scheduler: { ok: true, detail: "standby: replica-a leads" } },
    },
    {
      name: "a standby while no replica leads",
      given: { duties: { scheduling: false }, leader: { view: () => ({ isLeader: false, holder: null }) } },
      reason: undefined,
      checks: { ...ALL_OK, scheduler: { ok: true, detail: "standby: no replica leads" } },
    },
  ])("$name", ({ given, reason, checks }) => {
    const report = healthReport(sources(given));
    expect(report).toEqual({ ok: reason === undefined, ...(reason ? { reason } : {}), checks });
    expect(Object.keys(report.checks)).toEqual(["loop", "scheduler", "store", "unhandled"]);
  });
});
