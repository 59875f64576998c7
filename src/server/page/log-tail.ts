import type { LogOpener } from "../../logs/log-handle.ts";
import type { SecretMask } from "../../secrets/secret-mask.ts";
import { lineStartAtOrAfter, logSize, logText, readLog } from "../views/log-reader.ts";

/** The page shows this much of a log at a time: its end, with links to the parts before. */
export const LOG_PAGE_BYTES = 256 * 1024;

/** A part of a log as the page shows it. */
export interface LogExcerpt {
  text: string;
  /** Byte offset the excerpt starts at (a line start; 0 for the log's beginning). */
  start: number;
  /** Where the excerpt ends: where following continues. */
  size: number;
  /** The log's size when read. */
  total: number;
  /** An `end` was asked for: an earlier part, which is not followed. */
  earlier: boolean;
}

/** The last LOG_PAGE_BYTES of a log before `end` (default: its end), from a line start, masked. */
export async function logTail(
  file: string | LogOpener,
  options: { end: number | undefined; live: boolean; mask: SecretMask | undefined },
): Promise<LogExcerpt> {
  const total = await logSize(file);
  const end = Math.min(options.end ?? total, total);
  const earliest = Math.max(0, end - LOG_PAGE_BYTES);
  let start = await lineStartAtOrAfter(file, earliest);
  // One line longer than the page: show its end rather than nothing.
  if (start >= end) start = earliest;
  if (end <= start) return { text: "", start, size: end, total, earlier: options.end !== undefined };
  const read = await readLog(file, {
    from: start,
    limit: end - start,
    live: options.live && options.end === undefined,
    mask: options.mask,
  });
  return {
    text: await logText(read),
    start,
    size: read.nextOffset,
    total,
    earlier: options.end !== undefined,
  };
}
