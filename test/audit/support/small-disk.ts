import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Cleanup } from "../../support/cleanup.ts";

let mountable: boolean | undefined;

/** True when this process may mount a tmpfs (root in a container that allows it; Linux only). */
export function canMountTmpfs(): boolean {
  if (mountable !== undefined) return mountable;
  const probe = mkdtempSync(path.join(os.tmpdir(), "updraft-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    mountable = true;
  } catch {
    mountable = false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
  return mountable;
}

/** A fresh folder on a tmpfs of `bytes` bytes, unmounted on cleanup: a disk that fills up for real. */
export async function smallDisk(cleanup: Cleanup, bytes: number): Promise<string> {
  const dir = await cleanup.tempDir("small-disk");
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" });
  cleanup.defer(() => execFileSync("umount", [dir], { stdio: "ignore" }));
  return dir;
}

/** Writes `file` until the disk refuses with ENOSPC. */
export async function fillDisk(file: string): Promise<void> {
  const handle = await open(file, "w");
  const block = Buffer.alloc(4096, 0x66);
  try {
    for (;;) await handle.write(block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
}
