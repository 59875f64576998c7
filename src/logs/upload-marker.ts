import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { trySideFile } from "../runs/try-files.ts";

/** The local log as it was when its object was stored. */
export interface UploadedLog {
  size: number;
  mtimeMs: number;
}

/** The log's size and mtime now, or undefined when there is no local log. */
export async function localLogState(logFile: string): Promise<UploadedLog | undefined> {
  const found = await stat(logFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  return found ? { size: found.size, mtimeMs: found.mtimeMs } : undefined;
}

/**
 * Whether the local log, as it is now, is in the store: its marker (written after the object was)
 * names the same size and mtime. A log that changed since (a rewritten try) is not.
 */
export async function isUploaded(logFile: string, now: UploadedLog): Promise<boolean> {
  const text = await readFile(trySideFile(logFile, "uploaded"), "utf8").catch(() => undefined);
  if (text === undefined) return false;
  try {
    const marker = JSON.parse(text) as Partial<UploadedLog>;
    return marker.size === now.size && marker.mtimeMs === now.mtimeMs;
  } catch {
    return false;
  }
}

/** Records that the log, as `state` describes it, is in the store (whole file or none: rename). */
export async function markUploaded(logFile: string, state: UploadedLog, objectKey: string): Promise<void> {
  const marker = trySideFile(logFile, "uploaded");
  const temp = `${marker}.tmp`;
  await writeFile(temp, JSON.stringify({ ...state, key: objectKey }) + "\n", { mode: 0o600 });
  await rename(temp, marker);
}
