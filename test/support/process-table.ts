import { readdir, readFile } from "node:fs/promises";
import { randomInt } from "node:crypto";

/** Pids of live processes whose command line holds `marker` (read from /proc, this machine only). */
export async function pidsWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const state = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // A zombie has exited already: only its parent has yet to reap it.
    if (cmdline.split("\0").includes(marker) && !/^\d+ \(.*\) Z /.test(state)) pids.push(Number(entry));
  }
  return pids;
}

/** Kills whatever still runs with `marker` in its command line (a test's cleanup). */
export async function killAllWith(marker: string): Promise<void> {
  for (const pid of await pidsWith(marker)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}

/** A `sleep` duration no other process on the machine uses: a marker argument to look for. */
export function uniqueSleepSeconds(): string {
  return `600.${randomInt(1e8, 1e9)}`;
}
