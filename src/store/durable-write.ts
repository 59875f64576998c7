import { constants } from "node:fs";
import { chmod, type FileHandle, mkdir, open, rename, rm, unlink } from "node:fs/promises";
import path from "node:path";

/** Writes a whole file so that after a crash it holds either the old text or the new, never a mix. */
export interface StateWriter {
  write(file: string, text: string): Promise<void>;
  /**
   * Appends `text` to an existing `file` and makes it durable (one fdatasync). A crash may leave a
   * prefix of it: readers of such a file drop an unfinished last line. When it rejects, the file is
   * as before (as far as the disk allows). A writer without it makes the store write whole files only.
   */
  append?(file: string, text: string): Promise<void>;
  /** `write` of the text these parts make, never held as one string (a writer without it gets it joined). */
  writeParts?(file: string, parts: readonly string[]): Promise<void>;
  /**
   * `append` of the text these parts make, never held as one string or buffer; resolves to the
   * bytes appended (a writer without it gets the text joined).
   */
  appendParts?(file: string, parts: readonly string[]): Promise<number>;
}

/** State files are readable by the daemon's user only (they hold confs and task results). */
export const STATE_FILE_MODE = 0o600;
/** Folders in the state dir: only the daemon's user may list or enter them. */
export const STATE_DIR_MODE = 0o700;

/**
 * Temp file (0600) → write → fsync → rename over `file` → fsync the folder, so the new text is on
 * disk once this resolves, and a failure (ENOSPC, EIO) leaves the old file whole.
 */
export async function writeFileDurably(file: string, text: string | readonly string[]): Promise<void> {
  // One temp name per file: writes to a file are serialised, and one daemon owns the state dir.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  try {
    const handle = await open(temp, "w", STATE_FILE_MODE);
    try {
      // A temp file left by a crash keeps its old mode through open(): set it.
      await handle.chmod(STATE_FILE_MODE);
      if (typeof text === "string") await handle.writeFile(text, "utf8");
      else await writeInPieces(handle, text);
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

/** Bytes written at a time from parts: under V8's large-object size, so each piece is collected young. */
const PIECE_CHARS = 64 * 1024;

/** Writes parts in pieces of about PIECE_CHARS, never the whole text as one string or buffer. */
async function writeInPieces(handle: FileHandle, parts: readonly string[]): Promise<void> {
  for (const piece of piecesOf(parts)) await writeAll(handle, piece);
}

/**
 * The parts' text as buffers of about PIECE_CHARS characters each (a part longer than that is one).
 * A piece never ends in a high surrogate while parts follow: its low half may start the next part,
 * and the two encoded apart would each be U+FFFD (the file then not the UTF-8 of the text).
 */
function* piecesOf(parts: readonly string[]): Generator<Buffer> {
  let piece: string[] = [];
  let chars = 0;
  for (const part of parts) {
    piece.push(part);
    chars += part.length;
    if (chars < PIECE_CHARS) continue;
    let text = piece.join("");
    const last = text.charCodeAt(text.length - 1);
    const high = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : "";
    if (high) text = text.slice(0, -1);
    yield Buffer.from(text, "utf8");
    piece = high ? [high] : [];
    chars = high.length;
  }
  if (piece.length > 0) yield Buffer.from(piece.join(""), "utf8");
}

/** Writes all of `bytes`: write() may take fewer bytes than asked (a disk filling up) without an error. */
async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length;) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
}

/**
 * Writes all of the pieces in one writev (one trip to libuv's thread pool, not one a piece); what
 * a short writev left is written piece by piece, which ends in the disk's error if it has one.
 */
async function writeAllPieces(handle: FileHandle, pieces: readonly Buffer[]): Promise<void> {
  let written = (await handle.writev(pieces)).bytesWritten;
  for (const piece of pieces) {
    if (written >= piece.length) {
      written -= piece.length;
      continue;
    }
    await writeAll(handle, written === 0 ? piece : piece.subarray(written));
    written = 0;
  }
}

/**
 * After a refused append: a failed sync (EIO; ENOSPC on NFS) leaves the whole text in the file, and
 * read after a restart a refused change would come back. Cut back to `size`, as far as the disk allows.
 */
async function cutBack(handle: FileHandle, size: number): Promise<void> {
  await handle
    .truncate(size)
    .then(() => handle.datasync())
    .catch(() => undefined);
}

/** Makes a rename or a new entry in `dir` durable. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync().catch((error: NodeJS.ErrnoException) => {
      // Some file systems cannot fsync a folder; their renames are as durable as they get.
      if (error.code !== "EINVAL" && error.code !== "ENOTSUP") throw error;
    });
  } finally {
    await handle.close();
  }
}

/**
 * Appends to a file that exists (never creates one: a new file's name needs a folder fsync, so
 * journals are started with writeFileDurably). One fdatasync: the data and the size, not the times.
 * When it rejects, the file is cut back to its size before (as far as the disk allows).
 */
export async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_APPEND);
  try {
    const { size } = await handle.stat();
    try {
      await handle.writeFile(text, "utf8");
      await handle.datasync();
    } catch (error) {
      await cutBack(handle, size);
      throw error;
    }
  } finally {
    await handle.close();
  }
}

export const durableStateWriter: StateWriter = {
  write: writeFileDurably,
  append: appendDurably,
  writeParts: writeFileDurably,
};

/** Writers let go without release() (a store a test dropped): their files closed, not left to the GC (DEP0137). */
const heldFiles = new FinalizationRegistry<Map<string, { handle: FileHandle }>>((held) => {
  for (const { handle } of held.values()) void handle.close().catch(() => undefined);
});

/**
 * `durableStateWriter` for the one owner of a state dir, appending through a descriptor it keeps
 * open: an append is a write and an fdatasync (two trips to libuv's thread pool, not five: open,
 * stat and close each waited on a busy 2-core machine, and decided a transition's p99). A file is
 * reopened once this writer writes it whole (a compaction renames a new journal over it) and after
 * `release()`: nothing else may replace a file this writer appends to (the state dir lock).
 */
export class HeldAppendWriter implements StateWriter {
  /** Each file appended to: its descriptor and its size after the last append that landed. */
  readonly #held = new Map<string, { handle: FileHandle; size: number }>();

  constructor() {
    heldFiles.register(this, this.#held);
  }

  write = async (file: string, text: string): Promise<void> => {
    await this.#drop(file);
    await writeFileDurably(file, text);
  };

  writeParts = async (file: string, parts: readonly string[]): Promise<void> => {
    await this.#drop(file);
    await writeFileDurably(file, parts);
  };

  append = async (file: string, text: string): Promise<void> => {
    await this.appendParts(file, [text]);
  };

  /**
   * The parts encoded in pieces and written in one writev (a due second's 10,000 runs are 8 MB: as
   * one string and one buffer, two large objects a 2 MB young generation scavenged around for tens
   * of ms).
   */
  appendParts = async (file: string, parts: readonly string[]): Promise<number> => {
    const held = this.#held.get(file) ?? (await this.#open(file));
    const pieces = [...piecesOf(parts)];
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    let foreign = false;
    try {
      await writeAllPieces(held.handle, pieces);
      // With the sync, not after it: the descriptor still names `file`, at the size this writer left.
      const [, stat] = await Promise.all([held.handle.datasync(), held.handle.stat()]);
      if (stat.nlink === 0 || stat.size !== held.size + bytes) {
        // Removed, replaced (a restored backup) or cut under the daemon: what is appended here is
        // in no file a restart reads. Refused, the store writes whole next (and opens it afresh).
        foreign = true;
        throw Object.assign(new Error(`${file} was removed, replaced or changed by another process`), {
          code: "ESTALE",
        });
      }
      held.size += bytes;
      return bytes;
    } catch (error) {
      // As appendDurably: cut back what was never acknowledged; the next append opens afresh.
      this.#held.delete(file);
      if (!foreign) await cutBack(held.handle, held.size);
      await held.handle.close().catch(() => undefined);
      throw error;
    }
  };

  /** Closes every held descriptor (the state files are read again, or the store is done). */
  async release(): Promise<void> {
    for (const file of [...this.#held.keys()]) await this.#drop(file);
  }

  async #open(file: string): Promise<{ handle: FileHandle; size: number }> {
    // Never creates the file (as appendDurably): a journal is started by a whole write.
    const handle = await open(file, constants.O_WRONLY | constants.O_APPEND);
    try {
      const held = { handle, size: (await handle.stat()).size };
      this.#held.set(file, held);
      return held;
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async #drop(file: string): Promise<void> {
    const held = this.#held.get(file);
    if (!held) return;
    this.#held.delete(file);
    await held.handle.close().catch(() => undefined);
  }
}

/** Creates `dir` (and parents) 0700, and tightens one an older version made 0755. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
  await chmod(dir, STATE_DIR_MODE);
}

/** Writes, syncs and removes a one-byte file in `dir`: rejects while `dir` cannot take a write (full, read-only). */
export async function probeWritable(dir: string): Promise<void> {
  const file = path.join(dir, `.probe-${process.pid}`);
  try {
    const handle = await open(file, "w", STATE_FILE_MODE);
    try {
      await handle.writeFile("x");
      await handle.sync();
    } finally {
      await handle.close();
    }
  } finally {
    await rm(file, { force: true });
  }
}
