import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";

/** The longest line of a file (newline excluded), read in chunks: the file may be huge. */
export async function longestLine(file: string): Promise<number> {
  let longest = 0;
  let current = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, from)) {
      longest = Math.max(longest, current + at - from);
      current = 0;
      from = at + 1;
    }
    current += chunk.length - from;
  }
  return Math.max(longest, current);
}

/** `bytes` bytes of a file from `position` (negative: from the end), "" when it does not exist. */
export async function slice(file: string, bytes: number, position = 0): Promise<string> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return "";
  try {
    const buffer = Buffer.alloc(bytes);
    const size = (await handle.stat()).size;
    const from = position < 0 ? Math.max(0, size + position) : position;
    const { bytesRead } = await handle.read(buffer, 0, bytes, from);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Samples this process's RSS until stopped; `growth()` is the peak above the first sample. */
export function rssSampler(everyMs = 20): { growth(): number; stop(): void } {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return {
    growth: () => Math.max(peak, process.memoryUsage().rss) - before,
    stop: () => clearInterval(timer),
  };
}
