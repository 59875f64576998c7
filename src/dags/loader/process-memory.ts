import { readFileSync } from "node:fs";

/**
 * A process's resident memory in bytes (VmRSS in /proc/<pid>/status): all of it, JS heap, Buffers
 * and native allocations alike. Undefined where /proc cannot tell (the process is gone, not Linux).
 */
export async function residentBytes(pid: number): Promise<number | undefined> {
  // Read synchronously: /proc is generated in memory, never waits on a disk, and the daemon polls
  // each loader every 25 ms, where a promise read cost about ten times the CPU.
  let status: string | undefined;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    status = undefined;
  }
  const match = status && /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match?.[1] ? Number(match[1]) * 1024 : undefined;
}

/**
 * Polls a process's RSS and calls `onOver` once when it passes `limitBytes`. The parent polls: a
 * child allocating in a tight loop could never report itself.
 */
export function watchResidentMemory(
  pid: number,
  limitBytes: number,
  onOver: (bytes: number) => void,
  everyMs = 25,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    const bytes = await residentBytes(pid);
    if (stopped) return;
    if (bytes !== undefined && bytes > limitBytes) {
      stopped = true;
      onOver(bytes);
      return;
    }
    timer = setTimeout(() => void poll(), everyMs);
    timer.unref();
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
