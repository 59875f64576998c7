import type { Run } from "../runs/run-model.ts";
import { readRegularFile, readRegularFileSync } from "./regular-file.ts";
import { CorruptStateError } from "./state-file.ts";

/** How history files are read (a counting fake in tests): their text, or undefined when there is none. */
export interface HistoryReader {
  read(file: string): Promise<string | undefined>;
  /** For a reader that cannot wait (the API's and the scheduler's run look-ups are synchronous). */
  readSync(file: string): string | undefined;
}

export const fileHistoryReader: HistoryReader = {
  read: (file) => readRegularFile(file).catch(missingAsUndefined),
  readSync(file) {
    try {
      return readRegularFileSync(file);
    } catch (error) {
      return missingAsUndefined(error as NodeJS.ErrnoException);
    }
  },
};

function missingAsUndefined(error: NodeJS.ErrnoException): undefined {
  if (error.code === "ENOENT") return undefined;
  throw error;
}

/**
 * A history file that could be read at start-up but not now (replaced by a folder, a FIFO or
 * garbage while the daemon runs). Keeps the cause's message and code; the API answers it with a
 * 503 naming the problem instead of a 500.
 */
export class HistoryUnreadableError extends Error {
  readonly code: string;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super((cause as Error).message, { cause });
    this.code = (cause as NodeJS.ErrnoException).code ?? "history_unreadable";
  }
}

/** A history file's runs as stored (confs by reference until decoded). */
export function parseHistory(file: string, text: string): Run[] {
  try {
    const data = JSON.parse(text) as { runs?: Run[] };
    return Array.isArray(data.runs) ? data.runs : [];
  } catch (error) {
    throw new CorruptStateError(file, error);
  }
}
