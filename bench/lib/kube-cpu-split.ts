/**
 * Where the daemon's CPU went during `bench:kube`'s rate run, from the `--cpu-prof` profile it
 * wrote (`BENCH_KUBE_CPU_PROF`): each sample of the main thread inside the measured window is
 * put in one area, by the src/ files on its stack (the bundle bin/updraft.mjs runs marks each
 * module with a `// src/…` line, which maps a frame's line back to its file):
 * - a src/store frame anywhere on the stack: the state write (text, encoding, durable write),
 *   except under the executor's outcome record (src/executor), which uses the same durable write;
 * - otherwise the innermost src/ file's folder (src/kubernetes, src/scheduler, src/executor, …);
 * - no src/ frame: client-node's own code, Node's HTTP/socket/stream internals, or file-system
 *   continuations (an awaited fs call resumes without its caller on the stack);
 * - GC and V8's own time apart. The window is placed by the wall clock, counted back from the
 *   daemon's exit, which is when the profile ends.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuSplit {
  /** Main-thread CPU in the window (idle excluded), ms. */
  busyMs: number;
  /** ms per area, largest first. */
  areas: Array<[area: string, ms: number]>;
}

/** The newest `.cpuprofile` in `dir`. */
export function newestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => path.join(dir, name));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** Module start lines of a bundle: [line, src file], in order. */
function moduleLines(url: string): Array<[number, string]> {
  const lines: Array<[number, string]> = [];
  readFileSync(fileURLToPath(url), "utf8")
    .split("\n")
    .forEach((text, at) => {
      const match = /^\/\/ (src\/\S+)$/.exec(text);
      if (match?.[1]) lines.push([at, match[1]]);
    });
  return lines;
}

/**
 * Splits the profile's samples from `fromMsBeforeEnd` to `toMsBeforeEnd` before its last sample
 * (ms, measured back from the daemon's exit) into areas.
 */
export function cpuSplit(file: string, fromMsBeforeEnd: number, toMsBeforeEnd: number): CpuSplit {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const bundles = new Map<string, Array<[number, string]>>();
  const srcOf = (url: string, line: number): string | undefined => {
    if (!url.startsWith("file:") || !url.endsWith(".mjs")) return undefined;
    let lines = bundles.get(url);
    if (!lines) bundles.set(url, (lines = moduleLines(url)));
    let found: string | undefined;
    for (let lo = 0, hi = lines.length - 1; lo <= hi;) {
      const mid = (lo + hi) >> 1;
      const entry = lines[mid] as [number, string];
      if (entry[0] <= line) {
        found = entry[1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const areaCache = new Map<number, string>();
  const areaOf = (id: number): string => {
    const cached = areaCache.get(id);
    if (cached) return cached;
    const leaf = nodes.get(id)?.callFrame.functionName ?? "";
    let area: string;
    if (leaf === "(idle)") area = "idle";
    else if (leaf === "(garbage collector)") area = "GC";
    else if (leaf === "(program)") area = "V8/Node native, no JS frame";
    else {
      let innermost: string | undefined;
      let store = false;
      let outcome = false;
      let client = false;
      let fs = false;
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = nodes.get(at)?.callFrame;
        if (!frame) break;
        const src = srcOf(frame.url, frame.lineNumber);
        if (src) {
          innermost ??= src;
          if (src.startsWith("src/store/")) store = true;
          // The try's outcome record uses the store's durable write: it is the executor's, per try.
          if (src === "src/executor/outcome-record.ts") outcome = true;
        }
        if (/@kubernetes\/client-node|node-fetch/.test(frame.url)) client = true;
        if (frame.url.startsWith("node:internal/fs")) fs = true;
      }
      if (outcome) area = "src/executor";
      else if (store) area = "src/store (state write)";
      else if (innermost) area = innermost.split("/").slice(0, 2).join("/").replace(/\.ts$/, "");
      else if (client) area = "client-node, no src frame";
      else if (fs) area = "fs continuations, no src frame (any file)";
      else area = "Node HTTP/sockets/streams/timers, no src frame";
    }
    areaCache.set(id, area);
    return area;
  };
  let end = 0;
  const at = profile.timeDeltas.map((delta) => (end += delta));
  const from = end - fromMsBeforeEnd * 1000;
  const to = end - toMsBeforeEnd * 1000;
  const totals = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const time = at[i] as number;
    if (time < from || time > to) continue;
    const area = areaOf(profile.samples[i] as number);
    totals.set(area, (totals.get(area) ?? 0) + (profile.timeDeltas[i] as number) / 1000);
  }
  totals.delete("idle");
  const areas = [...totals].sort((a, b) => b[1] - a[1]);
  return { busyMs: areas.reduce((sum, [, value]) => sum + value, 0), areas };
}
