import { readdir, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../runs/run-model.ts";

/**
 * A run's files outside the state files: its folder under `logs/` (task logs, outcome records, pid
 * files). They go when the run is pruned from history, after the state write that dropped it, so a
 * crash leaves at worst an orphan, which the start-up sweep removes.
 */
export class RunLogFolders {
  readonly #logsDir: string;

  constructor(logsDir: string) {
    this.#logsDir = path.resolve(logsDir);
  }

  async remove(runs: Iterable<Pick<Run, "dagId" | "id">>): Promise<void> {
    for (const run of runs) {
      const folder = this.#folderOf(run.dagId, run.id);
      if (folder) await rm(folder, { recursive: true, force: true });
    }
  }

  /** Removes the log folders of runs the store no longer has. */
  async sweep(known: (runId: string) => boolean): Promise<void> {
    for (const dagId of await entries(this.#logsDir)) {
      const runIds = await entries(path.join(this.#logsDir, dagId));
      let left = runIds.length;
      for (const runId of runIds) {
        if (known(runId)) continue;
        const folder = this.#folderOf(dagId, runId);
        if (!folder) continue;
        await rm(folder, { recursive: true, force: true });
        left--;
      }
      if (left === 0) await rmdir(path.join(this.#logsDir, dagId)).catch(() => undefined);
    }
  }

  /** `logs/<dag>/<run>`, or undefined for ids that would lead anywhere else. */
  #folderOf(dagId: string, runId: string): string | undefined {
    const folder = path.resolve(this.#logsDir, dagId, runId);
    return path.dirname(path.dirname(folder)) === this.#logsDir && folder.endsWith(`${path.sep}${runId}`)
      ? folder
      : undefined;
  }
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}
