import { createReadStream } from "node:fs";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "../store/json-depth.ts";
import type { TaskResult } from "./executor.ts";
import { type LinePiece, splitLines } from "./line-splitter.ts";
import { mayExist } from "./may-exist.ts";

/**
 * How a task publishes a result, the same under every executor: print one line
 * `::updraft-result::<JSON>` to stdout (the last such line wins). Executors already collect the
 * output, so this needs no volume, sidecar or exec permission inside a Pod.
 */
export const RESULT_MARKER = "::updraft-result::";
export const MAX_RESULT_BYTES = 64 * 1024;

export type ResultExtraction = { ok: true; result: TaskResult } | { ok: false; reason: string };

const MARKER_BYTES = Buffer.from(RESULT_MARKER);

/**
 * Finds the last result line in output fed to it line by line, keeping only that line (at most
 * one line piece, see line-splitter.ts). A result line that was cut is over the limit by far.
 */
export class ResultScanner {
  #last: { bytes: Buffer; cut: boolean } | undefined;
  #inResult = false;

  push(piece: LinePiece): void {
    if (piece.continued) {
      // The rest of a cut line: it makes a result line longer, never a new one.
      if (this.#inResult && this.#last) this.#last.cut = true;
      return;
    }
    const at = piece.bytes.indexOf(MARKER_BYTES);
    this.#inResult = at >= 0;
    if (at >= 0) this.#last = { bytes: piece.bytes.subarray(at + MARKER_BYTES.length), cut: piece.cut };
  }

  extraction(): ResultExtraction {
    if (this.#last?.cut) {
      return {
        ok: false,
        reason: `result is over ${this.#last.bytes.length} bytes; the limit is ${MAX_RESULT_BYTES} bytes (publish a reference such as a URL instead)`,
      };
    }
    return parseResult(this.#last?.bytes.toString("utf8"));
  }
}

/**
 * Reads a try's log and returns the result it published, or why the result is unusable. A log
 * that does not exist holds no output, hence no result; other read errors fail the try, named.
 */
export async function extractResult(logFile: string): Promise<ResultExtraction> {
  const scanner = new ResultScanner();
  // A task that printed nothing has no log file: asked first, since a failed open builds an error.
  if (!mayExist(logFile)) return { ok: true, result: { present: false } };
  try {
    for await (const piece of splitLines(createReadStream(logFile))) scanner.push(piece);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, result: { present: false } };
    return {
      ok: false,
      reason: `could not read the try's log ${logFile} for its result: ${(error as Error).message}`,
    };
  }
  return scanner.extraction();
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
