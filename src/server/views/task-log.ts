import { open } from "node:fs/promises";
import { z } from "zod";
import type { Run, TaskInstance } from "../../scheduler/run-model.ts";
import { HttpError } from "../http-error.ts";
import { quote } from "../routes/query.ts";

const wholeNumber = (min: number) => z.coerce.number().int().min(min).max(Number.MAX_SAFE_INTEGER);

/** The task and try a log request names (`?try=` defaults to the current try); 400/404 otherwise. */
export function taskTryOf(
  run: Run,
  taskId: string,
  rawTry: string | undefined,
): { task: TaskInstance; tryNumber: number } {
  const task = run.tasks.find((t) => t.id === taskId);
  if (!task) throw new HttpError(404, "not_found", `run "${run.id}" has no task "${taskId}"`);
  const parsedTry = rawTry === undefined ? undefined : wholeNumber(1).safeParse(rawTry);
  if (parsedTry && !parsedTry.success)
    throw new HttpError(400, "bad_request", `try must be a whole number ≥ 1, got ${quote(rawTry ?? "")}`);
  const tryNumber = parsedTry?.data ?? task.try;
  if (tryNumber < 1 || tryNumber > task.try)
    throw new HttpError(
      404,
      "not_found",
      `task "${taskId}" has no try ${tryNumber} (tries so far: ${task.try})`,
    );
  return { task, tryNumber };
}

/** `?offset=`: a byte offset into the log, 0 when absent; 400 for anything but a whole number ≥ 0. */
export function logOffsetOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const parsed = wholeNumber(0).safeParse(raw);
  if (!parsed.success)
    throw new HttpError(400, "bad_request", `offset must be a whole number of bytes ≥ 0, got ${quote(raw)}`);
  return parsed.data;
}

/**
 * The log's bytes from `from` (at most `maxBytes`, the last ones when `tail`), and the file's size
 * when read. A log not written yet reads as empty; an offset past the end gives no bytes.
 */
export async function readLogBytes(
  file: string,
  options: { from?: number; maxBytes?: number; tail?: boolean } = {},
): Promise<{ bytes: Buffer; start: number; size: number }> {
  const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!handle) return { bytes: Buffer.alloc(0), start: 0, size: 0 };
  try {
    const { size } = await handle.stat();
    const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const from = Math.min(options.from ?? 0, size);
    const start = options.tail ? Math.max(from, size - max) : from;
    const length = Math.min(size - start, max);
    const bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(bytes, read, length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { bytes: bytes.subarray(0, read), start, size: start + read };
  } finally {
    await handle.close();
  }
}
