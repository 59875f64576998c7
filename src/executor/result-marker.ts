import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../store/json-depth.ts";
import type { TaskResult } from "./executor.ts";

/**
 * How a task publishes a result, the same under every executor: print one line
 * `::updraft-result::<JSON>` to stdout (the last such line wins). Executors already collect the
 * output, so this needs no volume, sidecar or exec permission inside a Pod.
 */
export const RESULT_MARKER = "::updraft-result::";
export const MAX_RESULT_BYTES = 64 * 1024;

export type ResultExtraction = { ok: true; result: TaskResult } | { ok: false; reason: string };

/** Reads a try's log and returns the result it published, or why the result is unusable. */
export async function extractResult(logFile: string): Promise<ResultExtraction> {
  let last: string | undefined;
  const lines = createInterface({
    input: createReadStream(logFile, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    const at = line.indexOf(RESULT_MARKER);
    if (at >= 0) last = line.slice(at + RESULT_MARKER.length);
  }
  return parseResult(last);
}

export function parseResult(text: string | undefined): ResultExtraction {
  if (text === undefined) return { ok: true, result: { present: false } };
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_RESULT_BYTES) {
    return {
      ok: false,
      reason: `result is ${bytes} bytes; the limit is ${MAX_RESULT_BYTES} bytes (publish a reference such as a URL instead)`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: `result is not valid JSON (${(error as Error).message}): ${text.slice(0, 80)}`,
    };
  }
  if (nestedDeeperThan(value))
    return { ok: false, reason: `result is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it` };
  return { ok: true, result: { present: true, value } };
}
