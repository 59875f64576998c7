/** Longest line piece kept in memory or written to a log; longer lines are cut into pieces this long. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** One line of output, or one piece of a line longer than the bound. */
export interface LinePiece {
  /** The bytes, without the newline. */
  bytes: Buffer;
  /** The line went on past this piece (it was cut at the bound). */
  cut: boolean;
  /** This piece continues a line that was cut before it. */
  continued: boolean;
}

/** The line written to a log after a piece that was cut. */
export function cutMarker(maxBytes: number): string {
  return `[updraft] line cut at ${maxBytes} bytes`;
}

/**
 * Splits a byte stream into lines holding at most `maxBytes` (plus one chunk) in memory: a line
 * longer than that comes out in pieces, cut on a UTF-8 character boundary. Output of any size,
 * with or without newlines, never becomes one string.
 */
export class LineSplitter {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #continued = false;

  constructor(readonly maxBytes = MAX_LINE_BYTES) {}

  push(chunk: Buffer): LinePiece[] {
    const pieces: LinePiece[] = [];
    let from = 0;
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, from)) {
      this.#add(chunk.subarray(from, at), pieces);
      pieces.push(this.#take(this.#pendingBytes, false));
      from = at + 1;
    }
    this.#add(chunk.subarray(from), pieces);
    return pieces;
  }

  /** The last line, when the stream ended without a newline. */
  end(): LinePiece[] {
    return this.#pendingBytes > 0 ? [this.#take(this.#pendingBytes, false)] : [];
  }

  #add(bytes: Buffer, pieces: LinePiece[]): void {
    if (bytes.length > 0) {
      this.#pending.push(bytes);
      this.#pendingBytes += bytes.length;
    }
    while (this.#pendingBytes > this.maxBytes) pieces.push(this.#take(this.#cutPoint(), true));
  }

  /** Where to cut: at the bound, moved back to the start of a UTF-8 character that would straddle it. */
  #cutPoint(): number {
    let at = this.maxBytes;
    for (let back = 0; back < 3 && at > 0 && (this.#byteAt(at) & 0xc0) === 0x80; back++) at--;
    return at > 0 ? at : this.maxBytes;
  }

  #byteAt(index: number): number {
    let offset = index;
    for (const part of this.#pending) {
      if (offset < part.length) return part[offset] ?? 0;
      offset -= part.length;
    }
    return 0;
  }

  /** The first `bytes` pending bytes, copied: a piece never pins a chunk (or the rest of a long line). */
  #take(bytes: number, cut: boolean): LinePiece {
    const parts: Buffer[] = [];
    for (let need = bytes; need > 0;) {
      const head = this.#pending[0];
      if (!head) break;
      if (head.length <= need) {
        parts.push(head);
        this.#pending.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.#pending[0] = head.subarray(need);
        need = 0;
      }
    }
    this.#pendingBytes -= bytes;
    const piece: LinePiece = { bytes: Buffer.concat(parts, bytes), cut, continued: this.#continued };
    this.#continued = cut;
    return piece;
  }
}

/** Lines (or pieces of long lines) of a byte stream, with bounded memory; see LineSplitter. */
export async function* splitLines(
  source: AsyncIterable<Buffer | string>,
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<LinePiece> {
  const splitter = new LineSplitter(maxBytes);
  for await (const chunk of source) {
    yield* splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  yield* splitter.end();
}
