/** Why a DAG module (or one DAG in it) could not be loaded. */
export type LoadErrorKind =
  "syntax" | "exception" | "timeout" | "memory" | "crash" | "validation" | "duplicate";

/** A load error as users see it: file relative to the DAGs folder, 1-based line and column. */
export interface LoadError {
  file: string;
  line: number | null;
  column: number | null;
  kind: LoadErrorKind;
  message: string;
  /** The DAG the error concerns, when it is known (validation and duplicate errors). */
  dagId?: string;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

const ESBUILD_ERROR = /^(\/[^\n]*?):(\d+):(\d+): ERROR: (.*)$/m;
const STACK_FRAME = /(?:\(|at )((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?$/;
const NODE_SYNTAX_LOCATION = /^((?:file:\/\/)?\/[^\n]+?):(\d+)\n/;

/** A thrown value turned into the kind, message and place an author can act on. */
export function describeThrown(
  thrown: unknown,
  isUnderRoot: (absolutePath: string) => boolean,
): {
  kind: "syntax" | "exception";
  message: string;
  location: SourceLocation | undefined;
} {
  if (!(thrown instanceof Error))
    return { kind: "exception", message: `threw a non-Error value: ${String(thrown)}`, location: undefined };
  const esbuild = ESBUILD_ERROR.exec(thrown.message);
  if (esbuild?.[1]) {
    return {
      kind: "syntax",
      message: `SyntaxError: ${esbuild[4]}`,
      location: { file: esbuild[1], line: Number(esbuild[2]), column: Number(esbuild[3]) + 1 },
    };
  }
  const stack = thrown.stack ?? "";
  if (thrown.name === "SyntaxError") {
    const where = NODE_SYNTAX_LOCATION.exec(stack);
    if (where?.[1]) {
      return {
        kind: "syntax",
        message: `SyntaxError: ${thrown.message}`,
        location: { file: toPath(where[1]), line: Number(where[2]), column: 1 },
      };
    }
  }
  const location = stack
    .split("\n")
    .map((line) => STACK_FRAME.exec(line.trim()))
    .filter((m): m is RegExpExecArray => Boolean(m?.[1]))
    .map((m) => ({ file: toPath(m[1] ?? ""), line: Number(m[2]), column: Number(m[3]) }))
    .find((frame) => isUnderRoot(frame.file));
  return { kind: "exception", message: `${thrown.name}: ${thrown.message}`, location };
}

function toPath(fileOrUrl: string): string {
  return fileOrUrl.startsWith("file://") ? decodeURIComponent(new URL(fileOrUrl).pathname) : fileOrUrl;
}
