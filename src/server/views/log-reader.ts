import { type LogHandle, type LogOpener, openLocalLog } from "../../logs/log-handle.ts";
import type { SecretMask } from "../../secrets/secret-mask.ts";
import { MASKED } from "../../secrets/secret-mask.ts";

/** A line longer than this is served cut, with a marker saying how much was left out. */
export const MAX_LOG_LINE_BYTES = 1024 * 1024;
/** Read beyond a cut so a secret across it is masked whole before the cut is made. */
const CUT_MARGIN = 64 * 1024;
const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

export interface LogReadOptions {
  /** Byte offset in the file to serve from (`?offset`). */
  from: number;
  /** At most this many bytes of the file (`?limit`); the piece ends at a line end. */
  limit?: number;
  /** The try still runs: a last line without its newline yet is held back for the next read. */
  live: boolean;
  mask: SecretMask | undefined;
}

export interface LogRead {
  /** Where the file's bytes served end: the `?offset` of the next piece. */
  nextOffset: number;
  /** The served text, masked; it must be read to the end or cancelled (it holds the file open). */
  stream: ReadableStream<Uint8Array>;
}

/**
 * Serves bytes [from, nextOffset) of a log with bounded memory: read in chunks, masked a block of
 * whole lines at a time (a secret is never split between two maskings), lines over 1 MiB cut.
 */
export async function readLog(log: string | LogOpener, options: LogReadOptions): Promise<LogRead> {
  const handle = await openLog(log);
  if (!handle) return { nextOffset: 0, stream: bytesStream([]) };
  try {
    const { size } = await handle.stat();
    const masking = options.mask !== undefined && !options.mask.empty;
    let start = Math.min(options.from, size);
    let head: Buffer | undefined;
    if (masking && start > 0 && start < size && (await byteAt(handle, start - 1)) !== NEWLINE) {
      // Inside a line: mask the whole line, then serve its part from `start`.
      const line = await lineAround(handle, start, size);
      if (line) {
        head = maskedSuffix(line.bytes, start - line.start, options.mask as SecretMask, line.cut);
        start = line.end;
      } else start = (await nextLineStart(handle, start, size)) ?? size;
    }
    // A head served counts against the limit; a piece is never empty while there are bytes.
    const used = start - Math.min(options.from, size);
    const limit = options.limit === undefined ? undefined : Math.max(1, options.limit - used);
    const end =
      head && options.limit !== undefined && used >= options.limit
        ? start
        : await endOf(handle, start, size, { ...options, limit }, head === undefined);
    return { nextOffset: Math.max(end, start), stream: linesStream(handle, start, end, head, options) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Collects a read (bounded by its range) as text: for the page. */
export async function logText(read: LogRead): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of read.stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

/** Start of the first line at or after `offset` (the page's tail starts there). */
export async function lineStartAtOrAfter(log: string | LogOpener, offset: number): Promise<number> {
  if (offset <= 0) return 0;
  const handle = await openLog(log).catch(() => undefined);
  if (!handle) return 0;
  try {
    const { size } = await handle.stat();
    if (offset >= size) return size;
    if ((await byteAt(handle, offset - 1)) === NEWLINE) return offset;
    return (await nextLineStart(handle, offset, size)) ?? size;
  } finally {
    await handle.close();
  }
}

/** A local file by its path, or wherever the opener finds the log (the log store). */
function openLog(log: string | LogOpener): Promise<LogHandle | undefined> {
  return typeof log === "string" ? openLocalLog(log) : log();
}

/** The size of a log (0 when there is none). */
export async function logSize(log: string | LogOpener): Promise<number> {
  const handle = await openLog(log).catch(() => undefined);
  if (!handle) return 0;
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** Where the piece from `start` ends: the end of its last whole line within the limit. */
async function endOf(
  handle: LogHandle,
  start: number,
  size: number,
  options: LogReadOptions,
  /** Nothing served yet: a line longer than the limit is served rather than nothing. */
  first: boolean,
) {
  const limited = options.limit !== undefined && start + options.limit < size;
  const cap = limited ? start + (options.limit as number) : size;
  if (!limited && !options.live) return size;
  const lastNewline = await lastNewlineIn(
    handle,
    Math.max(start, cap - MAX_LOG_LINE_BYTES - CUT_MARGIN),
    cap,
  );
  if (lastNewline !== undefined) return lastNewline + 1;
  if (!first && limited) return start;
  // No whole line fits: a longer one is served whole (cut past 1 MiB); a live one waits for its end.
  const next = await nextLineStart(handle, cap, Math.min(size, start + MAX_LOG_LINE_BYTES + CUT_MARGIN));
  if (next !== undefined) return next;
  if (size - start > MAX_LOG_LINE_BYTES + CUT_MARGIN) return start + MAX_LOG_LINE_BYTES + CUT_MARGIN;
  return options.live ? start : size;
}

function linesStream(
  handle: LogHandle,
  start: number,
  end: number,
  head: Buffer | undefined,
  options: LogReadOptions,
): ReadableStream<Uint8Array> {
  const mask = options.mask && !options.mask.empty ? options.mask : undefined;
  let position = start;
  let carry = Buffer.alloc(0);
  /** Bytes of a cut line skipped so far, or -1 when not inside a cut line. */
  let skipped = -1;
  let headSent = head === undefined;
  const masked = (bytes: Buffer) => (mask ? Buffer.from(mask.mask(bytes.toString("utf8"))) : bytes);
  const cutMarker = () => Buffer.from(`… [line cut: ${skipped} bytes not shown]\n`);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headSent) {
          headSent = true;
          if (head && head.length > 0) {
            controller.enqueue(head);
            return;
          }
        }
        const out: Buffer[] = [];
        while (out.length === 0) {
          if (position >= end) {
            if (skipped >= 0) out.push(cutMarker());
            else if (carry.length > 0) out.push(masked(carry));
            skipped = -1;
            carry = Buffer.alloc(0);
            for (const part of out) controller.enqueue(part);
            controller.close();
            await handle.close();
            return;
          }
          const chunk = Buffer.alloc(Math.min(CHUNK, end - position));
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) {
            position = end;
            continue;
          }
          position += bytesRead;
          let data = chunk.subarray(0, bytesRead);
          if (skipped >= 0) {
            const newline = data.indexOf(NEWLINE);
            if (newline < 0) {
              skipped += data.length;
              continue;
            }
            skipped += newline;
            out.push(cutMarker());
            skipped = -1;
            data = data.subarray(newline + 1);
          }
          const joined = carry.length > 0 ? Buffer.concat([carry, data]) : data;
          const lastNewline = joined.lastIndexOf(NEWLINE);
          if (lastNewline >= 0) out.push(...cutLines(joined.subarray(0, lastNewline + 1), masked));
          carry = Buffer.from(joined.subarray(lastNewline + 1));
          if (carry.length > MAX_LOG_LINE_BYTES + CUT_MARGIN) {
            // A line too long to hold: serve its start, skip to its end.
            out.push(cutHead(carry, masked));
            skipped = carry.length - MAX_LOG_LINE_BYTES;
            carry = Buffer.alloc(0);
          }
        }
        for (const part of out) controller.enqueue(part);
      },
      async cancel() {
        await handle.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Whole lines, masked as one block; any line in it over the limit is cut. */
function cutLines(block: Buffer, masked: (bytes: Buffer) => Buffer): Buffer[] {
  if (block.length <= MAX_LOG_LINE_BYTES) return [masked(block)];
  const out: Buffer[] = [];
  let lineStart = 0;
  let pending = 0;
  for (let newline = block.indexOf(NEWLINE); newline >= 0; newline = block.indexOf(NEWLINE, newline + 1)) {
    if (newline - lineStart > MAX_LOG_LINE_BYTES) {
      if (lineStart > pending) out.push(masked(block.subarray(pending, lineStart)));
      out.push(cutHead(block.subarray(lineStart, newline), masked));
      out.push(Buffer.from(`… [line cut: ${newline - lineStart - MAX_LOG_LINE_BYTES} bytes not shown]\n`));
      pending = newline + 1;
    }
    lineStart = newline + 1;
  }
  if (pending < block.length) out.push(masked(block.subarray(pending)));
  return out;
}

/** The first 1 MiB of a long line, masked with some bytes past the cut so no secret is split by it. */
function cutHead(line: Buffer, masked: (bytes: Buffer) => Buffer): Buffer {
  const shown = masked(line.subarray(0, MAX_LOG_LINE_BYTES + CUT_MARGIN));
  return shown.subarray(0, MAX_LOG_LINE_BYTES);
}

/**
 * The part of a masked line after byte `at`: where a secret spans `at`, the suffix is masked from
 * the start (a reader choosing an offset inside a secret must not get the rest of it).
 */
function maskedSuffix(line: Buffer, at: number, mask: SecretMask, cut: boolean): Buffer {
  const text = line.toString("utf8");
  const cutAt = line.subarray(0, at).toString("utf8").length;
  const whole = mask.mask(text);
  const suffix = mask.mask(text.slice(cutAt));
  let served: string;
  if (whole.endsWith(suffix)) served = suffix;
  else {
    let common = 0;
    while (
      common < whole.length &&
      common < suffix.length &&
      whole.at(-1 - common) === suffix.at(-1 - common)
    )
      common++;
    served = MASKED + whole.slice(whole.length - common);
  }
  const bytes = Buffer.from(served);
  if (!cut) return bytes;
  const shown = Math.max(0, MAX_LOG_LINE_BYTES - at);
  return Buffer.concat([bytes.subarray(0, shown), Buffer.from("… [line cut]\n")]);
}

/** The line containing byte `at` (whole, up to the cut margin), or undefined when `at` is past its cut. */
async function lineAround(handle: LogHandle, at: number, size: number) {
  const window = MAX_LOG_LINE_BYTES + CUT_MARGIN;
  const before = await lastNewlineIn(handle, Math.max(0, at - MAX_LOG_LINE_BYTES), at);
  const start = before === undefined ? (at <= MAX_LOG_LINE_BYTES ? 0 : undefined) : before + 1;
  if (start === undefined || at - start >= MAX_LOG_LINE_BYTES) return undefined;
  const next = await nextLineStart(handle, at, Math.min(size, start + window));
  const end = next ?? Math.min(size, start + window);
  const cut = next === undefined && end - start >= window;
  const bytes = Buffer.alloc(end - start);
  await handle.read(bytes, 0, bytes.length, start);
  // A cut line: the bytes after the window are skipped; the next read starts at the next line.
  const resume = cut ? ((await nextLineStart(handle, end, size)) ?? size) : end;
  return { start, end: resume, bytes, cut };
}

async function byteAt(handle: LogHandle, at: number): Promise<number | undefined> {
  const one = Buffer.alloc(1);
  const { bytesRead } = await handle.read(one, 0, 1, at);
  return bytesRead === 1 ? one[0] : undefined;
}

/** Position of the last newline in [from, to), reading backwards. */
async function lastNewlineIn(handle: LogHandle, from: number, to: number): Promise<number | undefined> {
  const chunk = Buffer.alloc(CHUNK);
  for (let end = to; end > from;) {
    const begin = Math.max(from, end - CHUNK);
    const { bytesRead } = await handle.read(chunk, 0, end - begin, begin);
    const found = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (found >= 0) return begin + found;
    end = begin;
  }
  return undefined;
}

/** Position just after the first newline in [from, to), reading forwards. */
async function nextLineStart(handle: LogHandle, from: number, to: number): Promise<number | undefined> {
  const chunk = Buffer.alloc(CHUNK);
  for (let begin = from; begin < to;) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK, to - begin), begin);
    if (bytesRead === 0) return undefined;
    const found = chunk.subarray(0, bytesRead).indexOf(NEWLINE);
    if (found >= 0) return begin + found + 1;
    begin += bytesRead;
  }
  return undefined;
}

function bytesStream(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}
