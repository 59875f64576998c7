import type { AuditEntry, AuditQuery } from "./audit-entry.ts";
import { targetsDag } from "./audit-target.ts";

/** Which entries a query keeps, and a cheap test on the raw line that rules most others out unparsed. */
export interface AuditFilter {
  /** False only for lines that cannot hold a matching entry. */
  mayMatch(line: string): boolean;
  matches(entry: AuditEntry): boolean;
}

/** The filter of a query's `actor`, `action`, `dag` and `before`. */
export function auditFilter(query: Omit<AuditQuery, "limit">): AuditFilter {
  const before = query.before === undefined ? undefined : Date.parse(query.before);
  // Lines are written by JSON.stringify in a fixed field order (audit-line.ts), so an entry with
  // this actor holds exactly this text; inside a string value every quote would be escaped.
  const needles = [
    query.actor === undefined ? undefined : `"actor":${JSON.stringify(query.actor)},`,
    query.action === undefined ? undefined : `"action":${JSON.stringify(query.action)},`,
    query.dag === undefined ? undefined : JSON.stringify(query.dag).slice(1, -1),
  ].filter((needle): needle is string => needle !== undefined);
  return {
    mayMatch: (line) => needles.every((needle) => line.includes(needle)),
    matches: (entry) =>
      (query.actor === undefined || entry.actor === query.actor) &&
      (query.action === undefined || entry.action === query.action) &&
      (query.dag === undefined || targetsDag(entry.target, query.dag)) &&
      (before === undefined || Date.parse(entry.at) < before),
  };
}
