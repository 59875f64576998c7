/** CPU and memory of a child process read from /proc (Linux), for the Kubernetes benches. */
import { readdirSync, readFileSync } from "node:fs";

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

/** User + system CPU so far per thread of `pid` (by thread id), ms. Threads that ended are missing. */
export function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * Where the process's CPU went between two `threadCpu` reads: the main thread (its id is the pid)
 * and the others, largest first. Node names every thread "node": the others are V8's platform
 * workers (GC helpers, the profiler's sampler) and libuv's pool (file system calls, fsyncs).
 */
export function threadSplit(
  pid: number,
  before: Map<number, number>,
  after: Map<number, number>,
): { mainMs: number; others: Array<[tid: number, ms: number]> } {
  const delta = (tid: number) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  const others = [...after.keys()]
    .filter((tid) => tid !== pid)
    .map((tid): [number, number] => [tid, delta(tid)])
    .filter(([, value]) => value > 0)
    .sort((a, b) => b[1] - a[1]);
  return { mainMs: delta(pid), others };
}
