import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, STATE_FILE_MODE, syncFolder } from "../store/durable-write.ts";
import { CURRENT_FILE, expiredFiles, nextRotatedName, rotatedFiles } from "./rotated-files.ts";

/**
 * Ends a line a crash tore, so the next entry starts on a line of its own. It makes the torn
 * line invalid JSON even when only its newline was missing: that entry was never acknowledged.
 */
const TORN_LINE_END = " [torn: not an entry]\n";

export interface RotationPolicy {
  maxBytes: number;
  keepFiles: number;
  retentionMs: number;
  now: () => Date;
}

/** The audit folder's files: appends whole lines durably, rotates by size, deletes expired files. */
export class AuditFileWriter {
  readonly #dir: string;
  readonly #policy: RotationPolicy;
  readonly #onWarning: (message: string, error: unknown) => void;
  #handle: FileHandle | undefined;
  #size = 0;
  /** The file does not end with a newline (a crash, or a failed write that could not be undone). */
  #torn = false;

  constructor(dir: string, policy: RotationPolicy, onWarning: (message: string, error: unknown) => void) {
    this.#dir = dir;
    this.#policy = policy;
    this.#onWarning = onWarning;
  }

  get currentFile(): string {
    return path.join(this.#dir, CURRENT_FILE);
  }

  /** Appends `text` (whole lines) and fsyncs; on failure the file is cut back to what it held. */
  async append(text: string): Promise<void> {
    const bytes = Buffer.byteLength(text);
    let handle = this.#handle ?? (await this.#open());
    if (this.#size > 0 && this.#size + bytes > this.#policy.maxBytes) handle = await this.#rotate(handle);
    const data = Buffer.from(this.#torn ? TORN_LINE_END + text : text);
    const before = this.#size;
    try {
      await writeAll(handle, data);
      await handle.sync();
    } catch (error) {
      await this.#undo(handle, before);
      throw error;
    }
    this.#size = before + data.length;
    this.#torn = false;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async #open(): Promise<FileHandle> {
    await ensurePrivateDir(this.#dir);
    await this.#deleteExpired();
    const handle = await openForAppend(this.currentFile);
    try {
      await this.#learnEnd(handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.#handle = handle;
    return handle;
  }

  /** Size, and whether the last line was torn (no newline at the end). */
  async #learnEnd(handle: FileHandle): Promise<void> {
    const { size } = await handle.stat();
    this.#size = size;
    if (size === 0) return void (this.#torn = false);
    const last = Buffer.alloc(1);
    // Opened for appending, the handle cannot read: read the last byte through another.
    const reader = await open(this.currentFile, "r");
    try {
      await reader.read(last, 0, 1, size - 1);
    } finally {
      await reader.close();
    }
    this.#torn = last[0] !== 0x0a;
  }

  /** Takes back a write that failed half way, so nothing of a refused entry stays. */
  async #undo(handle: FileHandle, size: number): Promise<void> {
    try {
      await handle.truncate(size);
      await handle.sync();
    } catch (error) {
      this.#onWarning("could not cut a failed audit write back; the next entry starts on a new line", error);
      await this.#learnEnd(handle).catch(() => (this.#torn = true));
    }
  }

  async #rotate(handle: FileHandle): Promise<FileHandle> {
    this.#handle = undefined;
    await handle.close();
    const [newest] = await rotatedFiles(this.#dir);
    const name = nextRotatedName(this.#policy.now().getTime(), newest);
    await rename(this.currentFile, path.join(this.#dir, name));
    const fresh = await openForAppend(this.currentFile);
    this.#handle = fresh;
    this.#size = 0;
    this.#torn = false;
    await syncFolder(this.#dir);
    await this.#deleteExpired();
    return fresh;
  }

  /** Retention must not cost an entry: a file that cannot be deleted now is tried again at the next rotation. */
  async #deleteExpired(): Promise<void> {
    try {
      const expired = expiredFiles(await rotatedFiles(this.#dir), {
        keepFiles: this.#policy.keepFiles,
        retentionMs: this.#policy.retentionMs,
        now: this.#policy.now().getTime(),
      });
      for (const file of expired) await unlink(path.join(this.#dir, file.name));
      if (expired.length > 0) await syncFolder(this.#dir);
    } catch (error) {
      this.#onWarning("could not delete expired audit files", error);
    }
  }
}

async function openForAppend(file: string): Promise<FileHandle> {
  const handle = await open(file, "a", STATE_FILE_MODE);
  try {
    // Tighten a file an older version made looser; leave anything that is not a plain file alone.
    const stats = await handle.stat();
    if (stats.isFile() && (stats.mode & 0o777) !== STATE_FILE_MODE) await handle.chmod(STATE_FILE_MODE);
    if (stats.isFile() && stats.size === 0) await syncFolder(path.dirname(file));
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

/** handle.write may write less than asked (a disk filling up): write the rest, or fail trying. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
