import type { FileHandle } from "node:fs/promises";

const NEWLINE = 0x0a;

export interface BackwardOptions {
  /** Bytes read at a time. */
  chunkBytes: number;
  /** Longer lines are skipped unread: memory stays bounded by chunkBytes + maxLineBytes. */
  maxLineBytes: number;
}

/**
 * The complete lines of the first `size` bytes of a file, last first, read backwards in chunks.
 * Only newline-terminated lines count: bytes after the last newline are a write that never
 * finished (a line is acknowledged only once its newline is on disk).
 */
export async function* linesBackward(
  handle: FileHandle,
  size: number,
  options: BackwardOptions,
): AsyncGenerator<string> {
  const buffer = Buffer.alloc(options.chunkBytes);
  // The part of the current line met so far (it continues to the left), right-most piece last.
  let pieces: Buffer[] = [];
  let pieceBytes = 0;
  let tooLong = false;
  // Until the first newline from the end is met, bytes belong to the unfinished tail.
  let inTail = true;
  let position = size;
  while (position > 0) {
    const length = Math.min(options.chunkBytes, position);
    position -= length;
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    if (bytesRead < length) throw new Error(`audit file shrank while it was read (at byte ${position})`);
    let end = length;
    for (
      let at = buffer.lastIndexOf(NEWLINE, end - 1);
      at >= 0 && end > 0;
      at = buffer.lastIndexOf(NEWLINE, end - 1)
    ) {
      if (!inTail && !tooLong && pieceBytes + (end - at - 1) <= options.maxLineBytes)
        yield joined(buffer.subarray(at + 1, end), pieces);
      inTail = false;
      pieces = [];
      pieceBytes = 0;
      tooLong = false;
      end = at;
      if (at === 0) break;
    }
    if (end > 0 && !inTail && !tooLong) {
      pieceBytes += end;
      if (pieceBytes > options.maxLineBytes) {
        tooLong = true;
        pieces = [];
      } else pieces.unshift(Buffer.from(buffer.subarray(0, end)));
    }
  }
  // The file's first line, ended by the newline met last.
  if (!inTail && !tooLong && pieceBytes > 0) yield joined(Buffer.alloc(0), pieces);
}

function joined(head: Buffer, rest: readonly Buffer[]): string {
  return rest.length === 0 ? head.toString("utf8") : Buffer.concat([head, ...rest]).toString("utf8");
}
