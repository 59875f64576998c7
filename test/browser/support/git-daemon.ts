import { listeningUrl, spawnCli, runArgs } from "../../daemon/support/daemon-process.ts";
import { killLeftoverTasks } from "../../daemon/support/processes.ts";
import type { Cleanup } from "../../support/cleanup.ts";

/** `updraft run --repo <repo>` as a real child process, and the URL it listens on. */
export interface GitDaemon {
  readonly url: string;
  output(): string;
}

/**
 * Starts the daemon on a git repository (loopback, a free port) and waits for its "updraft
 * listening" log line. Cleanup SIGKILLs it, the processes it started and any task left running.
 */
export async function startGitDaemon(
  cleanup: Cleanup,
  options: { repo: string; stateDir: string; extraArgs?: readonly string[] },
): Promise<GitDaemon> {
  cleanup.defer(() => killLeftoverTasks(options.stateDir));
  const cli = spawnCli(
    cleanup,
    runArgs(["--repo", options.repo, "--branch", "main"], options.stateDir, options.extraArgs),
  );
  const url = await listeningUrl(cli, { everyMs: 150, timeoutMs: 60_000 });
  return { url, output: cli.output };
}
