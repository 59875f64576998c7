/** Where in the DAG author's source a `dag()` or `pod()` call was made. */
export interface CallSite {
  file: string;
  line: number;
  column: number;
}

export const CALL_SITE = Symbol.for("updraft.callSite");

const SDK_DIR = decodeURIComponent(new URL(".", import.meta.url).pathname);
const FRAME = /\(?((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/**
 * The stack frames outside the SDK, innermost first (at most 30). In a loader process stack traces
 * are source-mapped (loader/source-mapped-stacks.ts), so lines are the lines the author wrote. All are kept, not just the first: a `pod()` called
 * inside a helper function must still be located at the line of the DAG module that called it.
 */
export function captureCallSites(): CallSite[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  Error.stackTraceLimit = limit;
  const sites: CallSite[] = [];
  for (const frame of stack) {
    const match = FRAME.exec(frame);
    if (!match?.[1]) continue;
    const file = decodeURIComponent(match[1].startsWith("file://") ? new URL(match[1]).pathname : match[1]);
    if (file.startsWith(SDK_DIR)) continue;
    sites.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return sites;
}
