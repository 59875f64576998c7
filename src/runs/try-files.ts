import path from "node:path";

/** A per-try file path that would leave its folder (an id that is `..`, or holds a separator). */
export class UnsafeTryPathError extends Error {
  readonly code = "unsafe_path";
}

/** What a try's files are named by. */
export interface TryFileKey {
  dagId: string;
  runId: string;
  taskId: string;
  try: number;
}

/**
 * The log of one try: `<logsDir>/<dag>/<run>/<task>/try-<n>.log` (its outcome record and other
 * per-try files sit next to it, named after it). Ids are validated where they are made; this
 * checks again that each is one plain folder name and the file stays inside its try's folder, so
 * no two tries ever share a file whatever reached the state.
 */
export function tryLogFile(logsDir: string, key: TryFileKey): string {
  for (const [field, value] of [
    ["DAG id", key.dagId],
    ["run id", key.runId],
    ["task id", key.taskId],
  ] as const) {
    if (!isFolderName(value))
      throw new UnsafeTryPathError(
        `${field} ${JSON.stringify(value)} cannot name a log folder (it must be a plain name, not "." or "..", without "/", "\\" or control characters)`,
      );
  }
  if (!Number.isSafeInteger(key.try) || key.try < 1)
    throw new UnsafeTryPathError(`try number ${key.try} is not a whole number ≥ 1`);
  const folder = path.resolve(logsDir, key.dagId, key.runId, key.taskId);
  const file = path.join(folder, `try-${key.try}.log`);
  const expected = path.join(path.resolve(logsDir), key.dagId, key.runId, key.taskId);
  if (folder !== expected || path.dirname(file) !== folder)
    throw new UnsafeTryPathError(`the log of ${JSON.stringify(key)} would leave ${logsDir}`);
  return file;
}

function isFolderName(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses.
  return value !== "" && value !== "." && value !== ".." && !/[/\\\u0000-\u001f\u007f]/.test(value);
}

const SIDE_FILE_SUFFIXES = {
  /** The try's outcome, written before the scheduler hears of it (replayed after a crash). */
  outcome: ".outcome.json",
  /** The local process's pid (a restarted daemon adopts or kills it). */
  pid: ".pid",
  /** How far a Pod's log has been copied (a restarted follower resumes there). */
  cursor: ".cursor",
  /** The log as uploaded to the log store (size and mtime): present only after the object is. */
  uploaded: ".uploaded",
} as const;

/** A file kept next to a try's log (see tryLogFile), named after it. */
export function trySideFile(logFile: string, kind: keyof typeof SIDE_FILE_SUFFIXES): string {
  return `${logFile}${SIDE_FILE_SUFFIXES[kind]}`;
}
