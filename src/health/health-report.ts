import type { LeaderView } from "../leader/leader-view.ts";

/** What `/healthz` answers: ok, else the first problem, and every check by name. */
export interface HealthReport {
  ok: boolean;
  reason?: string;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** What the daemon's health is made of; each part says what is wrong with it, or undefined. */
export interface HealthSources {
  /** The event loop's heartbeat (beaten on a timer). */
  loop: { stalledFor(): string | undefined };
  /** The scheduler loop's heartbeat; judged only while `duties.scheduling`. */
  scheduler: { stalledFor(): string | undefined };
  /** Whether the scheduler loop runs here (this replica leads and started it). */
  duties: { readonly scheduling: boolean };
  /** Why the state store's last write failed, if it did. */
  store: { readonly writeError: Error | undefined };
  /** Unhandled promise rejections since start. */
  rejections: { problem(): string | undefined };
  leader: { view(): Pick<LeaderView, "isLeader" | "holder"> };
  /** Why the audit log's last append failed, if it did (writes are then answered 503). */
  audit?: { readonly writeError: Error | undefined } | undefined;
}

/**
 * The daemon's health now. The checks are named in a fixed order (loop, scheduler, store,
 * unhandled, audit) and the first problem is the reason. A standby's scheduler check says who leads.
 */
export function healthReport(sources: HealthSources): HealthReport {
  const problems: Array<[string, string | undefined]> = [
    ["loop", sources.loop.stalledFor()],
    ["scheduler", sources.duties.scheduling ? sources.scheduler.stalledFor() : undefined],
    ["store", storeProblem(sources.store.writeError)],
    ["unhandled", sources.rejections.problem()],
    ...(sources.audit
      ? [["audit", auditProblem(sources.audit.writeError)] as [string, string | undefined]]
      : []),
  ];
  const checks: HealthReport["checks"] = Object.fromEntries(
    problems.map(([name, detail]) => [name, detail ? { ok: false, detail } : { ok: true }]),
  );
  const leader = sources.leader.view();
  if (!leader.isLeader)
    checks.scheduler = { ok: true, detail: `standby: ${leader.holder ?? "no replica"} leads` };
  const reason = problems.map(([, detail]) => detail).find(Boolean);
  return { ok: !reason, ...(reason ? { reason } : {}), checks };
}

function auditProblem(error: Error | undefined): string | undefined {
  return error ? `the audit log cannot be written: ${error.message}` : undefined;
}

function storeProblem(error: Error | undefined): string | undefined {
  return error ? `the state store cannot write: ${error.message}` : undefined;
}
