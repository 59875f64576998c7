import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { cutMarker, type LinePiece } from "./line-splitter.ts";

/** Task logs and their side files are the owner's alone: output may hold anything. */
export const LOG_FILE_MODE = 0o600;
export const LOG_DIR_MODE = 0o700;

/**
 * Creates a log file's folders, 0700 each. True when its own folder was made by this call: it is
 * empty, so the try has no side files (outcome record, cursor) to look for.
 */
export async function makeLogDir(logFile: string): Promise<boolean> {
  return (await mkdir(path.dirname(logFile), { recursive: true, mode: LOG_DIR_MODE })) !== undefined;
}

/**
 * Masks the line pieces of one output stream. A piece cut at the line bound may end inside a
 * secret: the tail that could still be one (shorter than the longest secret form) moves to the
 * front of the piece that continues the line, so the secret is masked whole, not as two halves.
 */
export class PieceMasker {
  #rest = "";

  constructor(private readonly mask: SecretMask | undefined) {}

  piece(piece: LinePiece): LinePiece {
    if (!this.mask || this.mask.empty) return piece;
    const text = (piece.continued ? this.#rest : "") + piece.bytes.toString("utf8");
    this.#rest = "";
    if (!piece.cut) return { ...piece, bytes: Buffer.from(this.mask.mask(text), "utf8") };
    const { masked, rest } = this.mask.maskPrefix(text);
    this.#rest = rest;
    return { ...piece, bytes: Buffer.from(masked, "utf8") };
  }
}

/** A piece as it goes into a log: its line, then a marker line where it was cut. */
export function pieceText(piece: LinePiece, maxBytes: number): Buffer {
  const tail = piece.cut ? `\n${cutMarker(maxBytes)}\n` : "\n";
  return Buffer.concat([piece.bytes, Buffer.from(tail)]);
}

/**
 * Appends to one try's log file, one write at a time, so that the writers that feed it (stdout and
 * stderr) wait for the disk and hold no more than their current piece. A write that fails (the
 * file's folder was removed, the disk is full) is reported once through `onError`; later writes
 * are dropped, so a task's output never stops the daemon.
 */
export class TaskLogWriter {
  #queue: Promise<void> = Promise.resolve();
  #failed = false;

  private constructor(
    private readonly handle: Awaited<ReturnType<typeof open>> | undefined,
    private readonly onError: (error: Error) => void,
  ) {}

  /** `fresh`: replace what the file holds (a try that never ran may have left its header). */
  static async open(
    logFile: string,
    onError: (error: Error) => void,
    options: { fresh?: boolean } = {},
  ): Promise<TaskLogWriter> {
    try {
      await makeLogDir(logFile);
      return new TaskLogWriter(await open(logFile, options.fresh ? "w" : "a", LOG_FILE_MODE), onError);
    } catch (error) {
      onError(error as Error);
      const writer = new TaskLogWriter(undefined, onError);
      writer.#failed = true;
      return writer;
    }
  }

  write(data: Buffer | string): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    this.#queue = this.#queue.then(() => this.#write(bytes));
    return this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.handle?.close().catch(() => undefined);
  }

  async #write(bytes: Buffer): Promise<void> {
    if (this.#failed || !this.handle) return;
    try {
      for (let at = 0; at < bytes.length;) {
        const { bytesWritten } = await this.handle.write(bytes, at);
        if (bytesWritten === 0) throw new Error("the log file took no bytes");
        at += bytesWritten;
      }
    } catch (error) {
      this.#failed = true;
      this.onError(error as Error);
    }
  }
}
