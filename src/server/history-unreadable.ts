import path from "node:path";
import type { Context } from "hono";
import type { HistoryUnreadableError } from "../store/history-reader.ts";

/**
 * A run history file replaced while the daemon runs (a folder, a FIFO, garbage): the runs it held
 * cannot be shown until it is restored. Not the request's fault and not a bug: a 503 that names the
 * file (its name only: the state dir's path is the operator's) and what to do.
 */
export function historyUnreadable(c: Context, error: HistoryUnreadableError): Response {
  const why =
    error.code === "ENOTREG"
      ? "it is not a regular file"
      : error.code === "state_corrupt"
        ? "it is not valid JSON"
        : `${error.code}`;
  return c.json(
    {
      error: {
        code: "history_unreadable",
        message: `the run history file runs/${path.basename(error.file)} cannot be read (${why}): the runs it holds cannot be shown until it is restored from a backup or moved aside; the daemon's log has the details`,
      },
    },
    503,
  );
}
