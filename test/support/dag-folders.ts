import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Cleanup } from "./cleanup.ts";

/** Writes `relative path -> text` under `dir`, making sub-folders. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  }
}

/** A daemon's folders in one fresh temp dir (removed by `cleanup`). */
export interface DaemonFolders {
  /** The temp dir holding the others (for a test's own files: a gate, a kubeconfig). */
  dir: string;
  /** `dir/dags`, holding the DAG modules given. */
  dagsDir: string;
  /** `dir/state`, not made: the daemon makes it. */
  stateDir: string;
}

/** A temp dir with `dags/` written from `dags` (relative path -> module text) and a `state/` path. */
export async function daemonFolders(
  cleanup: Cleanup,
  prefix: string,
  dags: Readonly<Record<string, string>>,
): Promise<DaemonFolders> {
  const dir = await cleanup.tempDir(prefix);
  const dagsDir = path.join(dir, "dags");
  await mkdir(dagsDir);
  await writeFiles(dagsDir, dags);
  return { dir, dagsDir, stateDir: path.join(dir, "state") };
}
