import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSpent, cpuTime } from "./figures.ts";

/** What one baseline process reported, plus its wall time from spawn to exit. */
export interface BaselineRun {
  wallMs: number;
  /** From process start to the first import (Node and tsx start-up). */
  startupMs: number;
  importMs: number;
  modules: number;
  /** CPU time of the run, this process and the child. */
  cpu: string;
  /** Only when asked to validate. */
  validateMs?: number;
  valid?: number;
}

const SCRIPT = fileURLToPath(new URL("./import-all.mjs", import.meta.url));
const TSX = import.meta.resolve("tsx");
// Makes `updraft` resolve for the DAG modules. Registered before tsx, in the loader processes' order.
const HOOKS = new URL("./register-baseline-hooks.mjs", import.meta.url).href;
const VALIDATOR = new URL("../../src/dags/spec/validate-dag.ts", import.meta.url).href;

/**
 * Runs `node --import <updraft hooks> --import tsx` once over `files` (absolute paths), importing
 * them in sequence. `tmpdir` becomes the child's TMPDIR, where tsx keeps its transform cache.
 */
export async function runImportBaseline(
  files: readonly string[],
  options: { workDir: string; tmpdir: string; validate?: boolean },
): Promise<BaselineRun> {
  const listFile = path.join(options.workDir, "baseline-files.json");
  await writeFile(listFile, JSON.stringify(files));
  const args = [
    "--import",
    HOOKS,
    "--import",
    TSX,
    SCRIPT,
    listFile,
    ...(options.validate ? [VALIDATOR] : []),
  ];
  const cpuBefore = cpuTime();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, TMPDIR: options.tmpdir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  const wallMs = performance.now() - started;
  const cpu = cpuSpent(cpuBefore, cpuTime());
  if (code !== 0) throw new Error(`baseline process exited with code ${code}: ${stderr.slice(-2000)}`);
  const report = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Omit<BaselineRun, "wallMs" | "cpu">;
  return { wallMs, cpu, ...report };
}
