import { readFile } from "node:fs/promises";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";

/** A state file that cannot be read as JSON. Start-up stops on it; it is never silently replaced. */
export class CorruptStateError extends Error {
  readonly code = "state_corrupt";
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `state file ${file} is corrupt (${(cause as Error).message}). updraft will not overwrite it. To recover: stop updraft, move it aside (mv ${file} ${file}.corrupt) to start with empty state, or restore it from a backup, then start again.`,
      { cause },
    );
  }
}

/**
 * Opens a lowdb JSON file, built explicitly as `new Low(new JSONFile(...))` (lowdb's presets switch
 * to memory under NODE_ENV=test). Writes are atomic (temp file + rename).
 */
export async function openStateFile<T>(file: string, initial: T): Promise<Low<T>> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const db = new Low<T>(new JSONFile<T>(file), initial);
  if (text === undefined) return db;
  try {
    db.data = JSON.parse(text) as T;
  } catch (error) {
    throw new CorruptStateError(file, error);
  }
  return db;
}
