import type { AuditEntry, AuditQuery, AuditReader } from "./audit-entry.ts";

/** The most entries one page may hold when a single millisecond has more than `limit`. */
const MAX_PAGE = 1000;

export interface AuditPage {
  items: AuditEntry[];
  /** The `before` of the next (older) page; undefined when there is none. */
  nextBefore: string | undefined;
}

/**
 * One page of `query` and the `before` of the next. `before` is exclusive and to the millisecond,
 * and several entries may share one, so a page never ends inside a millisecond: entries of the
 * millisecond it would be cut in go to the next page, or, when that millisecond is all the page
 * holds, the page takes all of them (up to 1000), so paging skips no entry.
 */
export async function readAuditPage(reader: AuditReader, query: AuditQuery): Promise<AuditPage> {
  const entries = await reader.query({ ...query, limit: query.limit + 1 });
  const next = entries[query.limit];
  if (!next) return { items: entries, nextBefore: undefined };
  const cut = Date.parse(next.at);
  const items = entries.slice(0, query.limit);
  let keep = items.length;
  while (keep > 0 && Date.parse(items[keep - 1]?.at ?? "") <= cut) keep--;
  if (keep > 0) return { items: items.slice(0, keep), nextBefore: new Date(cut + 1).toISOString() };
  const sameMillisecond = (
    await reader.query({ ...query, before: new Date(cut + 1).toISOString(), limit: MAX_PAGE })
  ).filter((entry) => Date.parse(entry.at) === cut);
  return { items: sameMillisecond, nextBefore: new Date(cut).toISOString() };
}
