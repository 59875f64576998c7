import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { SecretMask } from "../../secrets/secret-mask.ts";

export interface LogTailLimits {
  /** Lines kept, the newest. */
  lines: number;
  /** Bytes read from the end of the file: the whole memory a tail takes, however large the log. */
  bytes: number;
  /** Characters kept of each line; a longer one ends with `…`. */
  lineChars: number;
}

export const LOG_TAIL_LIMITS: LogTailLimits = { lines: 20, bytes: 64 * 1024, lineChars: 300 };

/**
 * The last lines of a log file, masked, each cut short; [] when the file is missing or empty.
 * Reads only the file's last `bytes`: a line that starts before them is left out, not shown half.
 */
export async function readLogTail(
  file: string,
  mask: SecretMask | undefined,
  limits: LogTailLimits = LOG_TAIL_LIMITS,
): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // A task can write where its log is: a FIFO must not block the open (and a thread of the
    // pool) forever, and a planted symlink must not show another file.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return [];
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return [];
    const { size } = stats;
    const start = Math.max(0, size - limits.bytes);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return tailLines(buffer.subarray(0, bytesRead).toString("utf8"), start > 0, mask, limits);
  } catch {
    return [];
  } finally {
    await handle.close();
  }
}

/** The newest lines of `text` (masked whole, then cut); `partialFirst`: its first line began earlier. */
export function tailLines(
  text: string,
  partialFirst: boolean,
  mask: SecretMask | undefined,
  limits: LogTailLimits = LOG_TAIL_LIMITS,
): string[] {
  const lines = text.split(/\r?\n/);
  if (partialFirst) lines.shift();
  if (lines.at(-1) === "") lines.pop();
  return lines
    .slice(-limits.lines)
    .map((line) => cut(mask ? mask.mask(plain(line)) : plain(line), limits.lineChars));
}

/** Terminal escapes (colours, titles) and control characters but tab: they mean nothing in a message. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function plain(line: string): string {
  return line.replace(ESCAPES, "").replace(CONTROLS, "");
}

function cut(line: string, chars: number): string {
  const points = [...line];
  return points.length <= chars ? line : `${points.slice(0, chars - 1).join("")}…`;
}
