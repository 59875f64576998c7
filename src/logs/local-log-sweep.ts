import { opendir, rm } from "node:fs/promises";
import path from "node:path";
import { type TryFileKey, trySideFile } from "../runs/try-files.ts";
import { isUploaded, localLogState } from "./upload-marker.ts";

const TRY_LOG = /^try-([1-9]\d{0,8})\.log$/;

export interface SweepDeps {
  logsDir: string;
  /** A try that runs: its log is still written, neither uploaded nor deleted. */
  tryIsActive(key: TryFileKey): boolean;
  /** A finished try's log not in the store as it is now: queue its upload. */
  notUploaded(key: TryFileKey, logFile: string): void;
  /** `--keep-local-logs`: uploaded logs last written longer ago than this are deleted. */
  keepLocalMs: number | undefined;
  now(): number;
}

/**
 * One pass over `<logsDir>/<dag>/<run>/<task>/try-<n>.log`, a folder at a time (memory stays
 * bounded): what is not uploaded is queued (after a kill -9, this finds what was pending), what is
 * uploaded and old enough is deleted. Returns how many logs were deleted.
 */
export async function sweepLocalLogs(deps: SweepDeps): Promise<number> {
  let deleted = 0;
  for await (const [dagId, dagDir] of folders(deps.logsDir))
    for await (const [runId, runDir] of folders(dagDir))
      for await (const [taskId, taskDir] of folders(runDir))
        for await (const [name] of entries(taskDir, "file")) {
          const match = TRY_LOG.exec(name);
          if (!match) continue;
          const key: TryFileKey = { dagId, runId, taskId, try: Number(match[1]) };
          if (deps.tryIsActive(key)) continue;
          const logFile = path.join(taskDir, name);
          const state = await localLogState(logFile).catch(() => undefined);
          if (!state) continue;
          if (!(await isUploaded(logFile, state))) {
            deps.notUploaded(key, logFile);
            continue;
          }
          if (deps.keepLocalMs === undefined || deps.now() - state.mtimeMs < deps.keepLocalMs) continue;
          // The marker last: a log without its marker would be uploaded again, never lost.
          await rm(logFile, { force: true });
          await rm(trySideFile(logFile, "uploaded"), { force: true });
          deleted++;
        }
  return deleted;
}

function folders(dir: string) {
  return entries(dir, "folder");
}

async function* entries(dir: string, kind: "file" | "folder"): AsyncGenerator<[string, string]> {
  const handle = await opendir(dir).catch(() => undefined);
  if (!handle) return;
  for await (const entry of handle) {
    if (kind === "folder" ? entry.isDirectory() : entry.isFile())
      yield [entry.name, path.join(dir, entry.name)];
  }
}
