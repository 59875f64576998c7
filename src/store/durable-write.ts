import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";

/** Writes a whole file so that after a crash it holds either the old text or the new, never a mix. */
export interface StateWriter {
  write(file: string, text: string): Promise<void>;
}

/** State files are readable by the daemon's user only (they hold confs and task results). */
export const STATE_FILE_MODE = 0o600;
/** Folders in the state dir: only the daemon's user may list or enter them. */
export const STATE_DIR_MODE = 0o700;

/**
 * Temp file (0600) → write → fsync → rename over `file` → fsync the folder, so the new text is on
 * disk once this resolves, and a failure (ENOSPC, EIO) leaves the old file whole.
 */
export async function writeFileDurably(file: string, text: string): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    const handle = await open(temp, "wx", STATE_FILE_MODE);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(path.dirname(file));
}

/** Makes a rename or a new entry in `dir` durable. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const durableStateWriter: StateWriter = { write: writeFileDurably };
