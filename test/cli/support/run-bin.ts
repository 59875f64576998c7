import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../../bin/updraft.mjs", import.meta.url));

export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node [nodeFlags] <bin> <args>` as a child process, with this environment plus `env`, minus the
 * UPDRAFT_ variables this environment may have set and `ENV` (the seed DAG picks its image by it).
 */
export function runBin(
  args: readonly string[],
  options: { bin?: string; nodeFlags?: readonly string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<BinResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("UPDRAFT_")) delete env[name];
  delete env.ENV;
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.bin ?? BIN, ...args], {
      env,
      cwd: options.cwd,
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
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
