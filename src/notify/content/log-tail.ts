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
    handle = await open(file, "r");
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
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
  return lines.slice(-limits.lines).map((line) => cut(mask ? mask.mask(line) : line, limits.lineChars));
}

function cut(line: string, chars: number): string {
  const points = [...line];
  return points.length <= chars ? line : `${points.slice(0, chars - 1).join("")}…`;
}
