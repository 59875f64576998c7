import type { LogOpener } from "../../logs/log-handle.ts";
import type { TryFileKey } from "../../runs/try-files.ts";
import type { AppDeps } from "../app-deps.ts";
import { HttpError } from "../http-error.ts";

/**
 * Where a try's log is read from: its local file, or (with `--log-store`) the local file while it
 * exists, else the stored object. A store that cannot be reached answers 503, retryably.
 */
export function tryLogSource(
  deps: Pick<AppDeps, "tryLog">,
  file: string,
  key: TryFileKey,
): string | LogOpener {
  const open = deps.tryLog?.(file, key);
  if (!open) return file;
  return async () => {
    try {
      return await open();
    } catch (error) {
      throw new HttpError(
        503,
        "log_store_unavailable",
        `the log of try ${key.try} of task "${key.taskId}" is no longer on the daemon's disk and the log store could not be read (${(error as Error).message}); try again later`,
      );
    }
  };
}
