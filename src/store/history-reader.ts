import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Run } from "../runs/run-model.ts";
import { CorruptStateError } from "./state-file.ts";

/** How history files are read (a counting fake in tests): their text, or undefined when there is none. */
export interface HistoryReader {
  read(file: string): Promise<string | undefined>;
  /** For a reader that cannot wait (the API's and the scheduler's run look-ups are synchronous). */
  readSync(file: string): string | undefined;
}

export const fileHistoryReader: HistoryReader = {
  read: (file) => readFile(file, "utf8").catch(missingAsUndefined),
  readSync(file) {
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      return missingAsUndefined(error as NodeJS.ErrnoException);
    }
  },
};

function missingAsUndefined(error: NodeJS.ErrnoException): undefined {
  if (error.code === "ENOENT") return undefined;
  throw error;
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

/**
 * Every string a history file's text holds under an `"id"` key, as JSON-escaped text: a superset of
 * its run ids (task ids and conf keys named id come along), found without parsing the file. Enough
 * to keep what may be a run's files; never enough to remove them.
 */
export function idsMentioned(text: string): Set<string> {
  const ids = new Set<string>();
  for (const match of text.matchAll(/"id":"((?:[^"\\]|\\.)*)"/g)) ids.add(match[1] as string);
  return ids;
}

/** `id` as `idsMentioned` holds it. */
export function mentionOf(id: string): string {
  return JSON.stringify(id).slice(1, -1);
}
