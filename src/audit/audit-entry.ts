import type { Via } from "../access/principal.ts";
import type { Role } from "../access/role.ts";

/**
 * What users did through the API and pages: trigger, pause, unpause, clear, sync, login, logout
 * (and the run-control actions: stop, mark, retry-failed, backfill, backfill-cancel). A refused
 * attempt is recorded under the action it attempted, with its 401/403 status.
 */
export type AuditAction = string;

/** One line of the audit log. */
export interface AuditEntry {
  /** ISO time the action was answered. */
  at: string;
  /** An email, a token's name, `local user` (no auth, loopback) or `anonymous` (no credentials). */
  actor: string;
  /** The actor's highest role (null: none, e.g. signed in but matched by no role). */
  role: Role | null;
  /** How the request was authenticated (null: it was not). */
  via: Via | null;
  action: AuditAction;
  /** What it acted on: `dag/<id>`, `run/<id>`, `run/<id>/task/<id>`, `sync`, `session`. */
  target: string;
  /** A summary of the request's input (a trigger's conf, masked), when it has one. */
  input?: unknown;
  /** The HTTP status of the answer. */
  status: number;
  /** The request's `X-Request-Id`. */
  requestId: string;
}

/** Where audit entries go. `append` resolves once the entry is durably written (before the answer). */
export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
}

/** `GET /api/audit`'s filters. */
export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  /** Entries whose target is the DAG or one of its runs (`dag/<id>`, `run/<id>__…`). */
  dag?: string | undefined;
  /** At most this many, newest first. */
  limit: number;
  /** Only entries older than this ISO time. */
  before?: string | undefined;
}

/** Reads the audit log, newest first, with bounded memory whatever its size. */
export interface AuditReader {
  query(query: AuditQuery): Promise<AuditEntry[]>;
}
