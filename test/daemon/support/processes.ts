// Processes on Linux, read from /proc: which are alive, which a test daemon left behind.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** Marks every process a test's `updraft` starts (it, its DAG loaders) in their environment. */
export const MARKER_VARIABLE = "E2E_DAEMON_MARK";

/** One process, identified by pid and start time so that a reused pid is never mistaken for it. */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

async function readStat(pid: number): Promise<{ state: string; startTime: string } | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
}

export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  const stat = await readStat(pid);
  return stat ? { pid, startTime: stat.startTime } : undefined;
}

/** Alive: the same process still exists and is not a zombie (nothing may reap orphans here). */
export async function isAlive(target: ProcessIdentity): Promise<boolean> {
  const stat = await readStat(target.pid);
  return stat !== undefined && stat.startTime === target.startTime && stat.state !== "Z";
}

/** Live processes whose environment carries `MARKER_VARIABLE=marker`. */
export async function markedProcesses(marker: string): Promise<ProcessIdentity[]> {
  const found: ProcessIdentity[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (!environ.split("\0").includes(`${MARKER_VARIABLE}=${marker}`)) continue;
    const stat = await readStat(Number(entry));
    if (stat && stat.state !== "Z") found.push({ pid: Number(entry), startTime: stat.startTime });
  }
  return found;
}

export function killProcess(pid: number, group = false): void {
  try {
    process.kill(group ? -pid : pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Every `try-N.log.pid` under a state dir, with the run, task and try it belongs to. */
async function pidFiles(
  stateDir: string,
): Promise<Array<{ pid: number; runId: string; taskId: string; try: string }>> {
  const found: Array<{ pid: number; runId: string; taskId: string; try: string }> = [];
  const logs = path.join(stateDir, "logs");
  const entries = await readdir(logs, { recursive: true }).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = /([^/]+)\/([^/]+)\/try-(\d+)\.log\.pid$/.exec(entry);
    if (!match) continue;
    const pid = Number(await readFile(path.join(logs, entry), "utf8").catch(() => ""));
    const [, runId = "", taskId = "", tryNumber = ""] = match;
    if (Number.isInteger(pid) && pid > 1) found.push({ pid, runId, taskId, try: tryNumber });
  }
  return found;
}

/** Kills task process groups a killed daemon left behind, if their pid still belongs to that try. */
export async function killLeftoverTasks(stateDir: string): Promise<void> {
  for (const file of await pidFiles(stateDir)) {
    const environ = (await readFile(`/proc/${file.pid}/environ`, "utf8").catch(() => "")).split("\0");
    if (
      !environ.includes(`UPDRAFT_RUN_ID=${file.runId}`) ||
      !environ.includes(`UPDRAFT_TASK_ID=${file.taskId}`) ||
      !environ.includes(`UPDRAFT_TRY_NUMBER=${file.try}`)
    )
      continue;
    killProcess(file.pid, true);
  }
}
