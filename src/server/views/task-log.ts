import { z } from "zod";
import type { Run, TaskInstance } from "../../runs/run-model.ts";
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

/** `?limit=`: at most this many bytes of the log; undefined when absent; 400 unless a whole number ≥ 1. */
export function logLimitOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const parsed = wholeNumber(1).safeParse(raw);
  if (!parsed.success)
    throw new HttpError(400, "bad_request", `limit must be a whole number of bytes ≥ 1, got ${quote(raw)}`);
  return parsed.data;
}

/** The try is the task's current one and still queued or running: its log may grow. */
export function tryIsLive(task: TaskInstance, tryNumber: number): boolean {
  return tryNumber === task.try && (task.state === "queued" || task.state === "running");
}
