/** Small helpers for measuring and printing benchmark figures. */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

/** Runs `work` and returns its result with how long it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

export function ms(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")} ms`;
}

export function mb(bytes: number): string {
  const megabytes = bytes / 1024 / 1024;
  // No "-0.0 MB" for a change too small to show.
  return `${(Math.abs(megabytes) < 0.05 ? 0 : megabytes).toFixed(1)} MB`;
}

/** "PASS" or "MISS" against an upper bound, with the bound. */
export function verdict(value: number, limit: number, unit: (value: number) => string): string {
  return `target ≤ ${unit(limit)}: ${value <= limit ? "PASS" : "MISS"}`;
}

/** This process's memory as the RSS figures break it down. */
export interface MemorySample extends NodeJS.MemoryUsage {
  /** V8's young generation as reserved (both semi-spaces), used or not. */
  newSpace: number;
}

/** Memory of this process after a full collection, when --expose-gc made one available. */
export function memoryAfterGc(): MemorySample {
  globalThis.gc?.();
  globalThis.gc?.();
  const newSpace =
    v8.getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
  return { ...process.memoryUsage(), newSpace };
}

/** Prints `label` and `value` in two columns. */
export function line(label: string, value: string): void {
  console.log(`  ${label.padEnd(58)} ${value}`);
}

/** CPU time used so far, in ms: this process, and its children that have exited (Linux only). */
export function cpuTime(): { self: number; children: number | undefined } {
  const self = process.cpuUsage();
  let children: number | undefined;
  try {
    // Fields after the command name: utime is the 12th, cutime and cstime the 14th and 15th, in
    // clock ticks (100 per second on Linux).
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    children = (Number(fields[13]) + Number(fields[14])) * 10;
    if (!Number.isFinite(children)) children = undefined;
  } catch {
    children = undefined;
  }
  return { self: (self.user + self.system) / 1000, children };
}

/** "daemon X + loaders Y" CPU between two cpuTime() readings. */
export function cpuSpent(before: ReturnType<typeof cpuTime>, after: ReturnType<typeof cpuTime>): string {
  const self = `this process ${ms(after.self - before.self)}`;
  if (before.children === undefined || after.children === undefined) return `CPU: ${self}`;
  return `CPU: ${self} + child processes ${ms(after.children - before.children)}`;
}

/** RSS split into V8's heap (reserved, of it the young generation, used) and what lies outside it. */
export function memoryDetail(memory: MemorySample): string {
  return (
    `RSS ${mb(memory.rss)} = JS heap reserved ${mb(memory.heapTotal)} (young generation ${mb(memory.newSpace)}, ` +
    `used ${mb(memory.heapUsed)}) + outside the heap ${mb(memory.rss - memory.heapTotal)} ` +
    `(external ${mb(memory.external)}, of it array buffers ${mb(memory.arrayBuffers)})`
  );
}

export function rangeOf(values: readonly number[]): string {
  return `${Math.round(Math.min(...values))}-${ms(Math.max(...values))}`;
}

/** Correctness checks of a run: a failed one makes the bench exit 1 (a missed target does not). */
export class Checks {
  readonly failures: string[] = [];

  expect(ok: boolean, failure: () => string): void {
    if (!ok && this.failures.length < 20) this.failures.push(failure());
  }
}

/** Runs a bench's parts in a fresh temp dir (removed after), then prints the load average. */
export async function benchInTempDir(name: string, parts: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), `updraft-${name.replace(":", "-")}-`));
  console.log(name);
  try {
    await parts(root);
    line(
      "load average (1, 5, 15 min)",
      os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(", "),
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
