/** CPU and memory of a child process read from /proc (Linux), for the Kubernetes benches. */
import { readFileSync } from "node:fs";

export interface ProcStats {
  /** User + system CPU time so far, ms (clock ticks of 10 ms). */
  cpuMs: number;
  /** Resident set now, bytes. */
  rss: number;
  /** Highest resident set so far (VmHWM), bytes. */
  peakRss: number;
}

export function procStats(pid: number): ProcStats {
  // The command name may hold spaces: the fields start after its closing ") ".
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { cpuMs: ticks * 10, rss: kb("VmRSS"), peakRss: kb("VmHWM") };
}
