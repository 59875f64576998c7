import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { ContainerLog } from "../logs/log-store.ts";

export interface ProcessExit {
  exitCode: number;
  /** Killed by the kubelet (SIGKILL after the grace period, or an OOM kill). */
  killed?: boolean;
}

/** A running container: it exits on its own, or is stopped with SIGTERM and a grace period, or killed. */
export interface ContainerRun {
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM now and SIGKILL after `graceMs`; a second call can only shorten the grace. */
  terminate(graceMs: number): void;
  kill(): void;
}

const signalExit = (signal: NodeJS.Signals | null) => 128 + (signal ? (constants.signals[signal] ?? 0) : 0);

/** Shared SIGTERM-then-SIGKILL bookkeeping. */
function stopper(signal: (s: NodeJS.Signals) => void) {
  let termSent = false;
  let killAt = Infinity;
  let timer: NodeJS.Timeout | undefined;
  const kill = () => {
    clearTimeout(timer);
    signal("SIGKILL");
  };
  return {
    terminate(graceMs: number) {
      if (!termSent) signal("SIGTERM");
      termSent = true;
      const at = Date.now() + Math.max(0, graceMs);
      if (at >= killAt) return;
      killAt = at;
      clearTimeout(timer);
      timer = setTimeout(kill, Math.max(0, graceMs));
    },
    kill,
    done: () => clearTimeout(timer),
  };
}

/**
 * Runs argv as a real child process (no shell) in its own process group, its stdout and stderr going to
 * `log`. When the main process exits the rest of the group is killed, as when a container's PID 1 exits.
 */
export function startProcess(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  log: ContainerLog,
): Promise<ContainerRun | { error: string }> {
  const [file = "", ...args] = argv;
  const child = spawn(file, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => log.append("stdout", chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => log.append("stderr", chunk));
  const group = (s: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, s);
    } catch {
      // the group is already gone
    }
  };
  let killedByUs = false;
  const stop = stopper((s) => {
    if (s === "SIGKILL") killedByUs = true;
    group(s);
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.on("exit", (code, signal) => {
      group("SIGKILL");
      const result = {
        exitCode: code ?? signalExit(signal),
        ...(killedByUs && signal === "SIGKILL" ? { killed: true } : {}),
      };
      // Wait for the pipes to drain (bounded: a grandchild may have escaped the group).
      const fallback = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, 1000);
      const finish = () => {
        clearTimeout(fallback);
        stop.done();
        resolve(result);
      };
      if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) finish();
      else child.on("close", finish);
    });
  });
  return new Promise((resolve) => {
    child.once("spawn", () => resolve({ exited, terminate: stop.terminate, kill: stop.kill }));
    // Only a failed spawn matters; later errors (a signal to a dead group) are ignored.
    child.on("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "ENOENT"
          ? `exec: "${file}": executable file not found in $PATH`
          : error.code === "EACCES"
            ? `exec: "${file}": permission denied`
            : error.message;
      resolve({
        error: `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${why}: unknown`,
      });
    });
  });
}

/** A container that runs for `ms` and exits with `exitCode` without a process (the `fake/exit`, `fake/sleep` images). */
export function timedRun(ms: number, exitCode: number): ContainerRun {
  let resolveExit: (exit: ProcessExit) => void = () => {};
  const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
  const natural = setTimeout(() => resolveExit({ exitCode }), ms);
  const stop = stopper((s) => {
    clearTimeout(natural);
    // A well-behaved process exits on SIGTERM with 143.
    resolveExit(s === "SIGKILL" ? { exitCode: 137, killed: true } : { exitCode: 143 });
  });
  void exited.then(() => {
    clearTimeout(natural);
    stop.done();
  });
  return { exited, terminate: stop.terminate, kill: stop.kill };
}
