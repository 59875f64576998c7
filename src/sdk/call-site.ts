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
 * The first stack frame outside the SDK. Stack traces are source-mapped by tsx, so the line is the
 * line the author wrote.
 */
export function captureCallSite(): CallSite | undefined {
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  for (const frame of stack) {
    const match = FRAME.exec(frame);
    if (!match?.[1]) continue;
    const file = decodeURIComponent(match[1].startsWith("file://") ? new URL(match[1]).pathname : match[1]);
    if (file.startsWith(SDK_DIR)) continue;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}
