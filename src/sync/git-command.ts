import { execFile } from "node:child_process";

/** Runs `git args` in `cwd`; resolves to its stdout, rejects with an Error holding git's stderr. */
export type GitCommand = (cwd: string, args: readonly string[]) => Promise<string>;

/** Output a command may print (a diff of a whole repository's paths, say) before it is cut off. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Git through `execFile`: no shell, the environment given, killed when `signal` aborts or after
 * `timeoutMs`. Chosen over a wrapper library for the sync path because a library that waits for
 * output before settling added 50 ms to every silent command (`worktree move`, `clean`, `cat-file -e`).
 */
export function gitCommand(options: {
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}): GitCommand {
  return (cwd, args) =>
    new Promise((resolve, reject) => {
      execFile(
        "git",
        args,
        {
          cwd,
          env: options.env,
          timeout: options.timeoutMs,
          signal: options.signal,
          maxBuffer: MAX_OUTPUT_BYTES,
          encoding: "utf8",
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          if (options.signal.aborted)
            return reject(new Error(`git ${args[0]} was stopped`, { cause: error }));
          if (error.killed)
            return reject(
              new Error(`git ${args[0]} took longer than ${options.timeoutMs} ms`, { cause: error }),
            );
          const message = stderr.trim() || error.message;
          reject(new Error(message, { cause: error }));
        },
      );
    });
}
