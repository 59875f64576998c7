import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { CLI } from "./daemon-process.ts";

/** The Node flags the daemon runs with: its bin's shebang (`#!/usr/bin/env -S node FLAGS`). */
export const shebangFlags = readFileSync(CLI, "utf8").split("\n")[0]?.split(/\s+/).slice(3) ?? [];

/**
 * For a bench that runs the daemon's parts in its own process (the store, the scheduler): runs
 * this script again with the daemon's Node flags when they are missing, and exits with its code.
 * Node's defaults (a 16 MB young generation, not the daemon's 2 MB) give other, rarer and longer,
 * scavenges at other moments than the daemon has: a figure of a heap the daemon never runs with.
 */
export function rerunWithDaemonNodeFlags(): void {
  const missing = shebangFlags.filter((flag) => !process.execArgv.includes(flag));
  if (missing.length === 0) return;
  const child = spawnSync(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(child.status ?? 1);
}
