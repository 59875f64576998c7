import { readFileSync } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";

/** Files read between two turns of the event loop: a few milliseconds of blocking at most. */
const CHUNK_FILES = 128;

/**
 * Reads many small files (DAG modules, helpers) as UTF-8 and hands each text to `use` in order.
 * Synchronous reads in chunks: a promise-based read costs about ten times the CPU of a synchronous
 * one for files this small (open, fstat, read and close are four trips to the thread pool), and
 * the daemon's load is bound by its CPU. Between chunks the event loop runs, so timers and HTTP
 * requests wait a few milliseconds at most. A file that cannot be read rejects the whole read, as
 * a failed readFile did before.
 */
export async function readTexts(
  files: readonly string[],
  use: (index: number, text: string) => void,
): Promise<void> {
  for (let start = 0; start < files.length; start += CHUNK_FILES) {
    if (start > 0) await yieldToLoop();
    const end = Math.min(files.length, start + CHUNK_FILES);
    for (let index = start; index < end; index += 1) use(index, readFileSync(files[index] as string, "utf8"));
  }
}
