import { type PositionLookup, readSourceMap } from "./line-source-map.ts";

/**
 * Formats every stack trace of this (loader) process with the author's lines and columns for
 * frames in compiled DAG-repository files, so that `dag()` call sites and import-time exceptions
 * point into the TypeScript the author wrote. `mapOf` gives the source map of a file URL, if any.
 */
export function mapStackTraces(mapOf: (fileUrl: string) => string | undefined): void {
  const parsed = new Map<string, PositionLookup | null>();
  const sourceMap = (fileUrl: string): PositionLookup | null => {
    let map = parsed.get(fileUrl);
    if (map === undefined) {
      const text = mapOf(fileUrl);
      map = text ? readSourceMap(text) : null;
      parsed.set(fileUrl, map);
    }
    return map;
  };
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => {
    const lines = frames.map((frame) => {
      const file = frame.getFileName();
      const line = frame.getLineNumber();
      const column = frame.getColumnNumber();
      const map = file?.startsWith("file:") ? sourceMap(file) : null;
      if (!map || line === null || column === null) return `    at ${frame.toString()}`;
      const entry = map.findEntry(line - 1, column - 1);
      if (entry.originalLine === undefined || entry.originalColumn === undefined)
        return `    at ${frame.toString()}`;
      const place = `${file}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
      const name = frame.getFunctionName();
      return `    at ${frame.isAsync() ? "async " : ""}${name ? `${name} (${place})` : place}`;
    });
    return [errorHeader(error), ...lines].join("\n");
  };
}

function errorHeader(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}
