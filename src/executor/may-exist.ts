import { statSync } from "node:fs";

/**
 * False only when `file` is certainly absent (ENOENT), found without building an error: a failed
 * open or read builds one with a stack, and most tries have no outcome record, cursor or output
 * (2,000 tries due at once paid that three times each). Any other answer (a file, ENOTDIR, EACCES)
 * is true, so the caller's own read meets it and handles it as before.
 */
export function mayExist(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}
