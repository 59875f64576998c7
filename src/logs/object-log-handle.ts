import type { LogHandle } from "./log-handle.ts";
import type { LogObjects } from "./log-objects.ts";

/** Ranged GETs fetch this much at once; the log reader's small reads are served from it. */
const BLOCK = 1024 * 1024;
/** Blocks kept per open log: the reader goes back and forth around one place (line starts, cuts). */
const KEPT_BLOCKS = 2;

/**
 * A stored log read like a file: each read is served from aligned 1 MiB blocks fetched by ranged
 * GET, at most two held, so memory stays bounded whatever the object's size.
 */
export class ObjectLogHandle implements LogHandle {
  readonly #blocks = new Map<number, Buffer>();

  constructor(
    private readonly objects: LogObjects,
    private readonly key: string,
    private readonly size: number,
  ) {}

  stat(): Promise<{ size: number }> {
    return Promise.resolve({ size: this.size });
  }

  async read(buffer: Buffer, offset: number, length: number, position: number) {
    let bytesRead = 0;
    while (bytesRead < length && position + bytesRead < this.size) {
      const at = position + bytesRead;
      const index = Math.floor(at / BLOCK);
      const block = await this.#block(index);
      const from = at - index * BLOCK;
      if (from >= block.length) break;
      const copied = block.copy(
        buffer,
        offset + bytesRead,
        from,
        Math.min(block.length, from + length - bytesRead),
      );
      bytesRead += copied;
    }
    return { bytesRead };
  }

  close(): Promise<void> {
    this.#blocks.clear();
    return Promise.resolve();
  }

  async #block(index: number): Promise<Buffer> {
    const kept = this.#blocks.get(index);
    if (kept) {
      // Most recently used last: the oldest goes first.
      this.#blocks.delete(index);
      this.#blocks.set(index, kept);
      return kept;
    }
    const start = index * BLOCK;
    const into = Buffer.alloc(Math.min(BLOCK, this.size - start));
    const filled = await this.objects.read(this.key, start, into);
    const block = into.subarray(0, filled);
    this.#blocks.set(index, block);
    while (this.#blocks.size > KEPT_BLOCKS) {
      const oldest = this.#blocks.keys().next().value;
      if (oldest === undefined) break;
      this.#blocks.delete(oldest);
    }
    return block;
  }
}
