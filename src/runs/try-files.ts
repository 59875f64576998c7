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
  checkFolderName("DAG id", key.dagId);
  checkFolderName("run id", key.runId);
  checkFolderName("task id", key.taskId);
  if (!Number.isSafeInteger(key.try) || key.try < 1)
    throw new UnsafeTryPathError(`try number ${key.try} is not a whole number ≥ 1`);
  // Each id is one plain folder name (checked above), so joining them to the resolved folder is
  // what path.resolve would give: no second resolve per try (10,000 starts in one tick).
  return `${resolvedLogsDir(logsDir)}${path.sep}${key.dagId}${path.sep}${key.runId}${path.sep}${key.taskId}${path.sep}try-${key.try}.log`;
}

/** `path.resolve(logsDir)` without its trailing separator (the root folder has one), kept per folder. */
function resolvedLogsDir(logsDir: string): string {
  let resolved = resolvedDirs.get(logsDir);
  if (resolved === undefined) {
    resolved = path.resolve(logsDir);
    if (resolved.endsWith(path.sep)) resolved = resolved.slice(0, -1);
    // A relative folder depends on the working directory: resolved each time.
    if (path.isAbsolute(logsDir)) resolvedDirs.set(logsDir, resolved);
  }
  return resolved;
}

// A daemon has one logs folder (tests a few): an absolute one is resolved once, not once per try.
const resolvedDirs = new Map<string, string>();

function checkFolderName(field: string, value: string): void {
  if (!isFolderName(value))
    throw new UnsafeTryPathError(
      `${field} ${JSON.stringify(value)} cannot name a log folder (it must be a plain name, not "." or "..", without "/", "\\" or control characters)`,
    );
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
